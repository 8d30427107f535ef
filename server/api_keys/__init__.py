"""An organization's service keys, created, listed and revoked by its admins.

Queries: db/queries/api_keys.sql (and the key queries of auth.sql). models (API shapes), handlers, routes.
"""
