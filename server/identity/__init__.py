"""Who the caller is: GET /v1/me.

Queries: db/queries/users.sql, organizations.sql, memberships.sql. models (API shapes), handlers, routes.
"""
