"""Background tasks delegated to agents.

Queries: db/queries/tasks.sql. models (API shapes), handlers, routes.
"""
