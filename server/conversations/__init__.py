"""Conversations (sessions) of a user, and who they are shared with.

Queries: db/queries/conversations.sql. models (API shapes), handlers, routes.
"""
