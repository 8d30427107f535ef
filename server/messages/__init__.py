"""A conversation's messages, their attachments and earlier versions.

Queries: db/queries/messages.sql. models (API shapes), handlers, routes.
"""
