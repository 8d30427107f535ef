"""An agent's state per user (or organization) and scope, written with optimistic concurrency, and its checkpoints.

Queries: db/queries/agent_states.sql. models (API shapes), handlers, routes.
"""
