"""Operational endpoints: liveness, readiness, metrics and the OpenAPI document.

Queries: db/queries/ops.sql. models (API shapes), handlers, routes.
"""
