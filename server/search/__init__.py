"""Search: full text over the messages, conversation chunks and memories a caller may read, in English and Japanese.

Queries: db/queries/search.sql (fn.search in db/functions/040_search.sql; docs/search.md). models, handlers, routes.
"""
