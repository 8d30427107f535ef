"""The aiohttp REST server (SPEC section 5).

    python -m server                 run it (config from the environment: server.config)
    python -m server.devtoken        mint a development session token
    python -m server.admin ...       operator commands (create-api-key)

Layout: config (settings), app (create_app, pool and HTTP client in cleanup
contexts), keys (every AppKey/RequestKey), routes (the route table) + routing
(Route, the per-request wrapper, input parsing), auth (Clerk JWTs, API keys,
just-in-time provisioning), tenancy (tenant_tx), problems (problem+json),
pagination (cursors), openapi, metrics, models (API shapes), handlers/.
"""
