"""The route table: every operation of the API, registered with aiohttp and described by /openapi.json."""

from __future__ import annotations

from .batch_models import BatchRequest, BatchResponse, Command, CommandResult
from .handlers import agent_state as state_handlers
from .handlers import agents as agent_handlers
from .handlers import api_keys, batch, commands, identity, ops, webhooks
from .handlers import conversations as conversation_handlers
from .handlers import memories as memory_handlers
from .handlers import messages as message_handlers
from .handlers import work as work_handlers
from .memory_models import MemoryCreate, MemoryEventOut, MemoryGetQuery, MemoryOut, MemoryQuery, MemoryUpdate
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
from .state_models import (
    AgentStateOut,
    CheckpointCreate,
    CheckpointOut,
    CheckpointPath,
    CheckpointQuery,
    IfMatch,
    StateQuery,
    StateWrite,
)
from .webhook_models import WebhookReceipt
from .work_models import ArtifactCreate, ArtifactOut, ArtifactQuery, ArtifactUpdate, TaskCreate, TaskOut, TaskQuery

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
        Auth.ADMIN, body=ApiKeyCreate, response=ApiKeyCreated, status=201, batchable=False,
        description="The response holds the secret. It is shown this once: only its SHA-256 is stored. So it "
        "takes no Idempotency-Key and is not allowed in a batch: neither may keep a copy of the secret.",
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
        Auth.ADMIN, body=AgentCreate, response=AgentOut, status=201, idempotent=True,
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
        body=KnowledgeSourceCreate, response=KnowledgeSourceOut, status=201, idempotent=True, errors=("forbidden", "conflict"),
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
        response=QuickTaskOut, status=201, idempotent=True, errors=("forbidden",),
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
        body=AgentGrantCreate, response=AgentGrantOut, status=201, idempotent=True, errors=("forbidden", "conflict"),
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
        status=201, idempotent=True, errors=("conflict",),
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
        path_params=IdPath, body=ShareCreate, response=ShareOut, status=201, idempotent=True, errors=("forbidden", "conflict"),
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
        response=MessageDetail, status=201, idempotent=True, errors=("conflict",),
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
    # --- agent state
    Route(
        "GET", "/v1/agents/{id}/state", state_handlers.get_state, "getAgentState", "Get an agent's state",
        "agent-state", Auth.MEMBER, path_params=IdPath, query=StateQuery, response=AgentStateOut,
        errors=("user_required",),
        description="The state with this key: scope, conversation_id (required for scope session) and owner "
        "(user: the caller's private state; organization: the one every member shares). The ETag header holds "
        "its version. No such state yet: 404. Agents the organization cannot use, and conversations the caller "
        "cannot read, are 404. API keys have only the organization's states (owner=user is 403).",
    ),
    Route(
        "PUT", "/v1/agents/{id}/state", state_handlers.put_state, "putAgentState",
        "Create or replace an agent's state (optimistic concurrency)", "agent-state", Auth.MEMBER,
        path_params=IdPath, query=StateQuery, headers=IfMatch, body=StateWrite, response=AgentStateOut,
        other_statuses=(201,),
        errors=("user_required", "conflict", "precondition_failed", "precondition_required"),
        description="The state is the key of GET's. With If-Match (the version GET answered, as its ETag \"3\" "
        "or bare), replaces the whole state if it is still at that version and answers 200 with the next one; "
        "otherwise 412 precondition_failed naming the current version (ETag header too) and nothing changes, so "
        "of two writers from one version exactly one wins. Without If-Match, creates the state (201, version 1) "
        "when there is none; when there is one, 428 precondition_required naming its version: an update always "
        "names the version it replaces.",
    ),
    Route(
        "GET", "/v1/agents/{id}/state/checkpoints", state_handlers.list_checkpoints, "listStateCheckpoints",
        "List a state's checkpoints, newest first", "agent-state", Auth.MEMBER, path_params=IdPath,
        query=CheckpointQuery, response=Page[CheckpointOut], errors=("user_required",),
        description="The state is chosen as in GET /v1/agents/{id}/state (404 when there is none). kind filters "
        "auto, manual or pre_restore checkpoints.",
    ),
    Route(
        "POST", "/v1/agents/{id}/state/checkpoints", state_handlers.create_checkpoint, "createStateCheckpoint",
        "Checkpoint a state (manual)", "agent-state", Auth.MEMBER, path_params=IdPath, query=StateQuery,
        body=CheckpointCreate, response=CheckpointOut, status=201, idempotent=True, errors=("user_required",),
        description="A copy of the current state and its version, with an optional label; kept until deleted "
        "(manual checkpoints are never pruned). The state is chosen as in GET /v1/agents/{id}/state.",
    ),
    Route(
        "POST", "/v1/agents/{id}/state/checkpoints/{checkpoint_id}/restore", state_handlers.restore_checkpoint,
        "restoreStateCheckpoint", "Restore a checkpoint", "agent-state", Auth.MEMBER, path_params=CheckpointPath,
        headers=IfMatch, response=AgentStateOut, errors=("conflict", "precondition_failed"),
        description="Puts the checkpoint's exact state back as the state's next version, after saving the "
        "current one as a pre_restore checkpoint (restore that to undo). With If-Match, only if the state is "
        "still at that version (412 otherwise, naming it). A checkpoint kept for the record only (restorable "
        "false) is 409. Answers the restored state with its ETag.",
    ),
    # --- memories
    Route(
        "GET", "/v1/memories", memory_handlers.list_memories, "listMemories",
        "List the memories the caller may read, newest first", "memories", Auth.MEMBER, query=MemoryQuery,
        response=Page[MemoryOut],
        description="Organization-wide memories, the caller's private ones, and those of conversations the caller "
        "can access; every filter given narrows the list. private=true (only the caller's own) needs a signed-in "
        "user: 422 for API keys.",
    ),
    Route(
        "POST", "/v1/memories", memory_handlers.create_memory, "createMemory", "Store a memory, or replace one by key",
        "memories", Auth.MEMBER, body=MemoryCreate, response=MemoryOut, status=201, other_statuses=(200,),
        errors=("conflict",), idempotent=True,
        description="Without key: a new memory (201). With key: the memory with that key in the same scope "
        "(organization, private user, agent, conversation) is replaced whole, omitted fields taking their defaults "
        "(200; its id, created_at and access counters stay), or created (201); the database tells the two apart "
        "(xmax of the upserted row). Organization-wide unless private (needs a signed-in user: 422 for API keys). "
        "agent_id must be an agent the organization may use, conversation_id a conversation the caller owns or has "
        "shared with them (409 naming the field otherwise; API keys have no conversations).",
    ),
    Route(
        "GET", "/v1/memories/{id}", memory_handlers.get_memory, "getMemory", "Get a memory", "memories",
        Auth.MEMBER, path_params=IdPath, query=MemoryGetQuery, response=MemoryOut,
        description="A plain read changes nothing. touch=true counts the read as a use (access_count + 1, "
        "last_accessed_at now; not a change: updated_at and the history stay), for callers that put the memory "
        "to use, so that ranking sees it as recent.",
    ),
    Route(
        "PATCH", "/v1/memories/{id}", memory_handlers.update_memory, "updateMemory", "Change a memory", "memories",
        Auth.MEMBER, path_params=IdPath, body=MemoryUpdate, response=MemoryOut,
        description="Omitted (or null) fields stay as they are; key and scope never change. Any member who can "
        "read the memory may change it. The change is recorded in its history.",
    ),
    Route(
        "DELETE", "/v1/memories/{id}", memory_handlers.delete_memory, "deleteMemory", "Delete a memory", "memories",
        Auth.MEMBER, path_params=IdPath, status=204,
        description="With its links, for good; its history stays readable (ending in a deleted event).",
    ),
    Route(
        "GET", "/v1/memories/{id}/history", memory_handlers.list_memory_history, "listMemoryHistory",
        "List a memory's changes, oldest first", "memories", Auth.MEMBER, path_params=IdPath, query=PageQuery,
        response=Page[MemoryEventOut],
        description="Created, updated and deleted events with the memory before and after (uses are not changes). "
        "Readable by whoever could read the memory, also after it was deleted.",
    ),
    # --- tasks and artifacts
    Route(
        "GET", "/v1/tasks", work_handlers.list_tasks, "listTasks", "List the organization's tasks, newest first",
        "tasks", Auth.MEMBER, query=TaskQuery, response=Page[TaskOut],
        description="Standalone tasks, and those of conversations the caller can access (owner or shared; "
        "API keys see only standalone ones).",
    ),
    Route(
        "POST", "/v1/tasks", work_handlers.create_task, "createTask", "Delegate a task to an agent", "tasks",
        Auth.MEMBER, body=TaskCreate, response=TaskOut, status=201, idempotent=True, errors=("conflict",),
        description="agent_id must be an agent the organization may use, conversation_id a conversation the "
        "caller can access (API keys: none); 409 naming the field otherwise. The task is pending, claimable "
        "by workers from run_after.",
    ),
    Route(
        "GET", "/v1/tasks/{id}", work_handlers.get_task, "getTask", "Get a task with its status and output",
        "tasks", Auth.MEMBER, path_params=IdPath, response=TaskOut,
    ),
    Route(
        "POST", "/v1/tasks/{id}/cancel", work_handlers.cancel_task, "cancelTask", "Cancel a task", "tasks",
        Auth.MEMBER, path_params=IdPath, response=TaskOut, errors=("conflict",),
        description="A pending or running task becomes cancelled (a running attempt's worker can no longer "
        "complete it). A finished one (succeeded, failed, cancelled) is 409 and stays as it is.",
    ),
    Route(
        "DELETE", "/v1/tasks/{id}", work_handlers.delete_task, "deleteTask", "Delete a task", "tasks",
        Auth.MEMBER, path_params=IdPath, status=204,
        description="Whatever its status; its artifacts stay, without task_id.",
    ),
    Route(
        "GET", "/v1/artifacts", work_handlers.list_artifacts, "listArtifacts",
        "List the organization's artifacts, newest first", "artifacts", Auth.MEMBER, query=ArtifactQuery,
        response=Page[ArtifactOut],
        description="Standalone artifacts, and those of conversations the caller can access (API keys see only "
        "standalone ones).",
    ),
    Route(
        "POST", "/v1/artifacts", work_handlers.create_artifact, "createArtifact", "Store an artifact", "artifacts",
        Auth.MEMBER, body=ArtifactCreate, response=ArtifactOut, status=201, idempotent=True, errors=("conflict",),
        description="conversation_id, task_id and agent_id must be visible to the caller (409 naming the field "
        "otherwise). The artifact of a task of a conversation belongs to that conversation (the default; "
        "another conversation_id is 409).",
    ),
    Route(
        "GET", "/v1/artifacts/{id}", work_handlers.get_artifact, "getArtifact", "Get an artifact", "artifacts",
        Auth.MEMBER, path_params=IdPath, response=ArtifactOut,
    ),
    Route(
        "PATCH", "/v1/artifacts/{id}", work_handlers.update_artifact, "updateArtifact",
        "Change an artifact's name, content, mime type or metadata", "artifacts", Auth.MEMBER, path_params=IdPath,
        body=ArtifactUpdate, response=ArtifactOut, description="Omitted (or null) fields stay as they are.",
    ),
    Route(
        "DELETE", "/v1/artifacts/{id}", work_handlers.delete_artifact, "deleteArtifact", "Delete an artifact",
        "artifacts", Auth.MEMBER, path_params=IdPath, status=204,
    ),
    # --- batch and commands
    Route(
        "POST", "/v1/batch", batch.run_batch, "runBatch", "Run several operations in one transaction, all or nothing",
        "batch", Auth.MEMBER, body=BatchRequest, response=BatchResponse, idempotent=True, batchable=False,
        errors=("not_found", "forbidden", "conflict", "admin_required", "user_required", "batch_operation_failed",
                "invalid_json", "invalid_cursor", "precondition_failed"),
        description="Each operation is checked and run exactly as if sent alone (its own auth, validation and "
        "handler), in order, in one transaction. The first that fails rolls all back: the answer is its problem "
        "(its status and code), errors[].loc starting [\"body\", \"operations\", <index>]. At most 50 operations; "
        "batch and commands cannot be nested.",
    ),
    Route(
        "POST", "/v1/commands", commands.run_command, "runCommand", "Run a command of the session command protocol",
        "commands", Auth.MEMBER, body=Command, response=CommandResult, idempotent=True, batchable=False,
        errors=("not_found", "forbidden", "conflict", "user_required", "admin_required", "invalid_cursor"),
        description="Seed 002's protocol for agents and service callers (API keys): create_session, "
        "resume_session, pause_session, complete_session, list_sessions, get_session_summary, store_memory, "
        "retrieve_memory, query_memories, list_memories, conversation_chunk, delegate_task, add_artifact and "
        "batch (several commands, all or nothing). Each maps onto the REST route it stands for and answers as it "
        "would (status, validation, problems). A session is a conversation, named by its id or by the session_id "
        "it was created with. Sessions belong to users: an API key names the member it acts for in on_behalf_of.",
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
