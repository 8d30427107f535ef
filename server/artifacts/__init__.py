"""Artifacts: the code, documents and other output agents produce.

Queries: db/queries/artifacts.sql. models (API shapes), handlers, routes.
"""
