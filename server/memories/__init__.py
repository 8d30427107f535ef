"""Memories: what agents and people keep, by scope, kind, type and tags, with their change history.

Queries: db/queries/memories.sql. models (API shapes), handlers, routes.
"""
