"""Clerk identity sync: Svix-signed webhooks into the webhook_events inbox.

Queries: db/queries/webhook_events.sql, clerk_sync.sql. models (API shapes), handlers, routes.
"""
