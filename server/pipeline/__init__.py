"""The HTTP pipeline: what every request goes through, whatever resource it names.

It knows no resource (nothing here imports an aggregate package of server/):

    route        Route (a route's declaration), Answer, the endpoint wrapper, register, the route matcher
    inputs       path, query, header, JSON and streamed multipart bodies, validated -> 404/415/413/400/422
    auth         Clerk session tokens and API keys -> Principal (400/401/403)
    context      Context: the caller and the tenant transaction their work runs in
    idempotency  Idempotency-Key on creating writes
    problems     every error as application/problem+json; database outages
    pagination   cursors, PageQuery, Page
    openapi      /openapi.json from the route table
    metrics      Prometheus metrics
    keys         the app keys of third-party values
    devkeys      the development signing key (no Clerk settings)
"""
