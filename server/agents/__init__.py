"""The agents an organization may use: their persona, knowledge sources, quick tasks and organization grants.

Queries: db/queries/agents.sql. models (API shapes), handlers, routes.
"""
