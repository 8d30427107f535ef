"""POST /v1/commands: seed 002's command protocol.

Queries: db/queries/(none: it runs other routes' handlers). models (API shapes), handlers, routes.
"""
