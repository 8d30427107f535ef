"""POST /v1/batch: several operations in one transaction.

Queries: db/queries/(none: it runs other routes). models (API shapes), handlers, routes.
"""
