"""The route table: every operation of the API, registered with aiohttp and described by /openapi.json."""

from __future__ import annotations

from .handlers import agents as agent_handlers
from .handlers import api_keys, identity, ops, webhooks
from .handlers import conversations as conversation_handlers
from .handlers import messages as message_handlers
from .models import ApiKeyCreate, ApiKeyCreated, ApiKeyOut, Health, IdPath, Me, Readiness
from .pagination import Page, PageQuery
from .resource_models import (
    AgentCreate,
    AgentGrantCreate,
    AgentGrantOut,
    AgentGrantPath,
    AgentOut,
    AgentQuery,
    AgentUpdate,
    ConversationCreate,
    ConversationOut,
    ConversationQuery,
    ConversationSharePath,
    ConversationUpdate,
    Items,
    KnowledgeSourceCreate,
    KnowledgeSourceOut,
    MessageCreate,
    MessageDetail,
    MessageEdit,
    MessageOut,
    MessageVersionOut,
    QuickTaskCreate,
    QuickTaskOut,
    QuickTaskQuery,
    ShareCreate,
    ShareOut,
)
from .routing import Auth, Route
from .webhook_models import WebhookReceipt

ROUTES: list[Route] = [
    # --- operations
    Route(
        "GET", "/healthz", ops.healthz, "healthz", "The process is up", "operations", Auth.PUBLIC,
        response=Health, uses_database=False,
    ),
    Route(
        "GET", "/readyz", ops.readyz, "readyz", "The database is reachable and fully migrated", "operations",
        Auth.PUBLIC, response=Readiness,
    ),
    Route(
        "GET", "/openapi.json", ops.openapi, "openapi", "This document (OpenAPI 3.1)", "operations", Auth.PUBLIC,
        raw_schema={"type": "object"}, uses_database=False,
    ),
    Route(
        "GET", "/metrics", ops.metrics, "metrics", "Prometheus metrics (text exposition format)", "operations",
        Auth.PUBLIC, media_type="text/plain", raw_schema={"type": "string"}, uses_database=False,
    ),
    # --- identity
    Route(
        "GET", "/v1/me", identity.get_me, "getMe", "The caller: user, active organization and role", "identity",
        Auth.ACCOUNT, response=Me,
        description="Works without an active organization (organization and role are null then). "
        "The role is read from the database, not from the token.",
    ),
    # --- API keys
    Route(
        "POST", "/v1/api-keys", api_keys.create_api_key, "createApiKey", "Create an API key (admins)", "api-keys",
        Auth.ADMIN, body=ApiKeyCreate, response=ApiKeyCreated, status=201,
        description="The response holds the secret. It is shown this once: only its SHA-256 is stored.",
    ),
    Route(
        "GET", "/v1/api-keys", api_keys.list_api_keys, "listApiKeys", "List the organization's API keys (admins)",
        "api-keys", Auth.ADMIN, query=PageQuery, response=Page[ApiKeyOut],
    ),
    Route(
        "DELETE", "/v1/api-keys/{id}", api_keys.revoke_api_key, "revokeApiKey", "Revoke an API key (admins)",
        "api-keys", Auth.ADMIN, path_params=IdPath, status=204,
        description="Idempotent. The key stops working on the next request. Unknown ids, and keys of other "
        "organizations, are 404.",
    ),
    # --- agents
    Route(
        "GET", "/v1/agents", agent_handlers.list_agents, "listAgents", "List the agents the organization may use",
        "agents", Auth.MEMBER, query=AgentQuery, response=Page[AgentOut],
        description="The organization's own agents, public agents and those granted to it, newest first. "
        "Hidden agents (and agents whose grant is disabled or hidden) are left out; get them by id.",
    ),
    Route(
        "POST", "/v1/agents", agent_handlers.create_agent, "createAgent", "Create an agent (admins)", "agents",
        Auth.ADMIN, body=AgentCreate, response=AgentOut, status=201,
    ),
    Route(
        "GET", "/v1/agents/{id}", agent_handlers.get_agent, "getAgent", "Get an agent", "agents", Auth.MEMBER,
        path_params=IdPath, response=AgentOut,
        description="Hidden agents too, where the organization has access. Agents it cannot use are 404.",
    ),
    Route(
        "PATCH", "/v1/agents/{id}", agent_handlers.update_agent, "updateAgent", "Change an agent (admins)", "agents",
        Auth.ADMIN, path_params=IdPath, body=AgentUpdate, response=AgentOut, errors=("forbidden",),
        description="Omitted fields stay as they are. Agents of other organizations: 403 when the caller can "
        "use them (public or granted), 404 otherwise.",
    ),
    Route(
        "DELETE", "/v1/agents/{id}", agent_handlers.delete_agent, "deleteAgent", "Delete an agent (admins)", "agents",
        Auth.ADMIN, path_params=IdPath, status=204, errors=("forbidden",),
        description="With its knowledge sources, quick tasks and grants; its conversations stay, without agent.",
    ),
    Route(
        "GET", "/v1/agents/{id}/knowledge-sources", agent_handlers.list_knowledge_sources, "listKnowledgeSources",
        "List an agent's knowledge sources", "agents", Auth.MEMBER, path_params=IdPath,
        response=Items[KnowledgeSourceOut],
        description="By name. Only the owning organization sees them (empty for other organizations' agents).",
    ),
    Route(
        "POST", "/v1/agents/{id}/knowledge-sources", agent_handlers.add_knowledge_source, "addKnowledgeSource",
        "Add a knowledge source to an agent (admins)", "agents", Auth.ADMIN, path_params=IdPath,
        body=KnowledgeSourceCreate, response=KnowledgeSourceOut, status=201, errors=("forbidden", "conflict"),
        description="One per source_path: a second one with the same path is 409.",
    ),
    Route(
        "GET", "/v1/agents/{id}/quick-tasks", agent_handlers.list_quick_tasks, "listQuickTasks",
        "List an agent's quick tasks", "agents", Auth.MEMBER, path_params=IdPath, query=QuickTaskQuery,
        response=Items[QuickTaskOut], description="In display order (order_index).",
    ),
    Route(
        "POST", "/v1/agents/{id}/quick-tasks", agent_handlers.add_quick_task, "addQuickTask",
        "Add a quick task to an agent (admins)", "agents", Auth.ADMIN, path_params=IdPath, body=QuickTaskCreate,
        response=QuickTaskOut, status=201, errors=("forbidden",),
    ),
    Route(
        "GET", "/v1/agents/{id}/access", agent_handlers.list_agent_access, "listAgentAccess",
        "List an agent's organization grants (admins)", "agents", Auth.ADMIN, path_params=IdPath,
        response=Items[AgentGrantOut],
        description="Admins of the agent's organization see every grant; others only the grant to their own.",
    ),
    Route(
        "POST", "/v1/agents/{id}/access", agent_handlers.grant_agent_access, "grantAgentAccess",
        "Grant an organization access to an agent (admins)", "agents", Auth.ADMIN, path_params=IdPath,
        body=AgentGrantCreate, response=AgentGrantOut, status=201, errors=("forbidden", "conflict"),
        description="Creates the grant, or replaces the settings of an existing one. Only for agents of the "
        "caller's organization (403 for others it can use).",
    ),
    Route(
        "DELETE", "/v1/agents/{id}/access/{organization_id}", agent_handlers.revoke_agent_access,
        "revokeAgentAccess", "Revoke an organization's access to an agent (admins)", "agents", Auth.ADMIN,
        path_params=AgentGrantPath, status=204,
        description="By admins of the agent's organization, or of the grantee (leaving it). No such grant: 404.",
    ),
    # --- conversations and messages
    Route(
        "GET", "/v1/conversations", conversation_handlers.list_conversations, "listConversations",
        "List the caller's conversations and those shared with them", "conversations", Auth.USER,
        query=ConversationQuery, response=Page[ConversationOut],
        description="Latest activity first. Without status, deleted (soft-deleted) ones are left out.",
    ),
    Route(
        "POST", "/v1/conversations", conversation_handlers.create_conversation, "createConversation",
        "Start a conversation", "conversations", Auth.USER, body=ConversationCreate, response=ConversationOut,
        status=201, errors=("conflict",),
        description="agent_id must be an agent the organization may use (409 otherwise).",
    ),
    Route(
        "GET", "/v1/conversations/{id}", conversation_handlers.get_conversation, "getConversation",
        "Get a conversation", "conversations", Auth.USER, path_params=IdPath, response=ConversationOut,
    ),
    Route(
        "PATCH", "/v1/conversations/{id}", conversation_handlers.update_conversation, "updateConversation",
        "Change a conversation's title, status or metadata (owner)", "conversations", Auth.USER,
        path_params=IdPath, body=ConversationUpdate, response=ConversationOut, errors=("forbidden",),
        description="Omitted fields stay as they are; status deleted is a soft delete. Share recipients: 403.",
    ),
    Route(
        "DELETE", "/v1/conversations/{id}", conversation_handlers.delete_conversation, "deleteConversation",
        "Delete a conversation (owner)", "conversations", Auth.USER, path_params=IdPath, status=204,
        errors=("forbidden",),
        description="With its shares, messages and attachments, for good. Share recipients: 403.",
    ),
    Route(
        "GET", "/v1/conversations/{id}/shares", conversation_handlers.list_shares, "listConversationShares",
        "List the users a conversation is shared with", "conversations", Auth.USER, path_params=IdPath,
        response=Items[ShareOut],
    ),
    Route(
        "POST", "/v1/conversations/{id}/shares", conversation_handlers.share_conversation, "shareConversation",
        "Share a conversation with a member of the organization (owner)", "conversations", Auth.USER,
        path_params=IdPath, body=ShareCreate, response=ShareOut, status=201, errors=("forbidden", "conflict"),
        description="Idempotent: sharing again answers the existing share. Users who are not other members of "
        "the organization: 409.",
    ),
    Route(
        "DELETE", "/v1/conversations/{id}/shares/{user_id}", conversation_handlers.unshare_conversation,
        "unshareConversation", "Stop sharing a conversation with a user", "conversations", Auth.USER,
        path_params=ConversationSharePath, status=204,
        description="By the owner, or by the recipient leaving the conversation. No such share: 404.",
    ),
    Route(
        "GET", "/v1/conversations/{id}/messages", message_handlers.list_messages, "listMessages",
        "List a conversation's messages, oldest first", "messages", Auth.USER, path_params=IdPath,
        query=PageQuery, response=Page[MessageOut],
    ),
    Route(
        "POST", "/v1/conversations/{id}/messages", message_handlers.create_message, "createMessage",
        "Post a message to a conversation", "messages", Auth.USER, path_params=IdPath, body=MessageCreate,
        response=MessageDetail, status=201, errors=("conflict",),
        description="By its owner or a user it is shared with. parent_message_id and file_ids must be of the "
        "same conversation (409 otherwise).",
    ),
    Route(
        "GET", "/v1/messages/{id}", message_handlers.get_message, "getMessage", "Get a message with its file ids",
        "messages", Auth.USER, path_params=IdPath, response=MessageDetail,
    ),
    Route(
        "PATCH", "/v1/messages/{id}", message_handlers.edit_message, "editMessage", "Edit a message",
        "messages", Auth.USER, path_params=IdPath, body=MessageEdit, response=MessageDetail,
        errors=("forbidden",),
        description="A user message by its author only (403 for others). A finished message keeps its earlier "
        "content as a version and its version increments.",
    ),
    Route(
        "GET", "/v1/messages/{id}/versions", message_handlers.list_versions, "listMessageVersions",
        "List a message's earlier versions, oldest first", "messages", Auth.USER, path_params=IdPath,
        response=Items[MessageVersionOut],
    ),
    # --- webhooks
    Route(
        "POST", "/webhooks/clerk", webhooks.receive_clerk_webhook, "receiveClerkWebhook",
        "Clerk identity events (user, organization, membership), signed by Svix", "webhooks", Auth.PUBLIC,
        response=WebhookReceipt,
        errors=("invalid_signature", "invalid_json", "validation_failed", "payload_too_large", "webhooks_not_configured"),
        description="Authenticated by its Svix signature (svix-id, svix-timestamp, svix-signature over the raw "
        "body, with CLERK_WEBHOOK_SECRET), not by credentials. Idempotent per svix-id: a delivery already "
        "processed is answered 200 with outcome duplicate. Any non-2xx answer makes Svix retry; a failed "
        "delivery is recorded with its error and applied again on the retry. 503 webhooks_not_configured "
        "when CLERK_WEBHOOK_SECRET is unset.",
    ),
]
