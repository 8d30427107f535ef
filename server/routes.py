"""The route table: every operation of the API, collected from the aggregates' routes modules.

server.app registers these with aiohttp and renders /openapi.json from them; the
order is the document's order.
"""

from __future__ import annotations

from .agent_states.routes import ROUTES as AGENT_STATES
from .agents.routes import ROUTES as AGENTS
from .api_keys.routes import ROUTES as API_KEYS
from .artifacts.routes import ROUTES as ARTIFACTS
from .batch.routes import ROUTES as BATCH
from .commands.routes import ROUTES as COMMANDS
from .conversations.routes import ROUTES as CONVERSATIONS
from .embeddings.routes import ROUTES as KNOWLEDGE
from .files.routes import ROUTES as FILES
from .identity.routes import ROUTES as IDENTITY
from .memories.routes import ROUTES as MEMORIES
from .messages.routes import ROUTES as MESSAGES
from .ops.routes import ROUTES as OPS
from .pipeline.route import Route
from .search.routes import ROUTES as SEARCH
from .tasks.routes import ROUTES as TASKS
from .webhooks.routes import ROUTES as WEBHOOKS

ROUTES: list[Route] = [
    *OPS,
    *IDENTITY,
    *API_KEYS,
    *AGENTS,
    *KNOWLEDGE,
    *CONVERSATIONS,
    *MESSAGES,
    *FILES,
    *AGENT_STATES,
    *MEMORIES,
    *SEARCH,
    *TASKS,
    *ARTIFACTS,
    *BATCH,
    *COMMANDS,
    *WEBHOOKS,
]
