"""The aiohttp REST server (SPEC section 5).

    python -m server                      run it (config from the environment: server.config)
    python -m server.cli.devtoken         mint a development session token
    python -m server.cli.admin ...        operator commands (create-api-key, create-platform-agent)
    python -m server.cli.seed             load the demo data

Layout (docs/architecture.md tells how a request flows through it):

    app.py, routes.py, config.py   the composition root, the route table, the settings
    pipeline/                      what every request goes through, knowing no resource
    types.py                       the API types the aggregates share
    <aggregate>/                   one package per db/queries file: models, handlers, routes
    cli/                           command-line programs (not imported by the server)
"""
