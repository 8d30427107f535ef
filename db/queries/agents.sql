-- name: CreateAgent :one
-- Create an agent owned by organization_id (NULL: a platform agent, app_system only).
INSERT INTO agents (
    organization_id, name, description, instructions, model_config,
    rag_enabled, embedding_model, embedding_dims, capabilities, scheduling_config,
    visibility, type, status, version, icon_url, metadata, created_by
)
VALUES (
    sqlc.narg(organization_id),
    sqlc.arg(name),
    sqlc.narg(description),
    sqlc.narg(instructions),
    coalesce(sqlc.narg(model_config)::jsonb, '{}'),
    coalesce(sqlc.narg(rag_enabled)::boolean, false),
    sqlc.narg(embedding_model),
    sqlc.narg(embedding_dims),
    coalesce(sqlc.narg(capabilities)::text[], '{}'),
    coalesce(sqlc.narg(scheduling_config)::jsonb, '{}'),
    coalesce(sqlc.narg(visibility)::agent_visibility, 'private'),
    sqlc.arg(type),
    coalesce(sqlc.narg(status)::agent_status, 'active'),
    coalesce(sqlc.narg(version)::text, '1.0.0'),
    sqlc.narg(icon_url),
    coalesce(sqlc.narg(metadata)::jsonb, '{}'),
    sqlc.narg(created_by)
)
RETURNING id, organization_id, name, description, instructions, model_config,
    rag_enabled, embedding_model, embedding_dims, capabilities, scheduling_config,
    visibility, type, status, version, icon_url, metadata, created_by, created_at, updated_at;

-- name: GetAgent :one
-- The agent with this id if the caller's organization may use it (hidden agents included).
SELECT id, organization_id, name, description, instructions, model_config,
    rag_enabled, embedding_model, embedding_dims, capabilities, scheduling_config,
    visibility, type, status, version, icon_url, metadata, created_by, created_at, updated_at
FROM agents
WHERE id = sqlc.arg(id);

-- name: ListAgents :many
-- The agents organization_id may use and lists, by name: hidden ones (by the
-- agent or by the organization's grant) and disabled grants are left out.
-- Page with the last row's (name, id) as cursor.
SELECT a.id, a.organization_id, a.name, a.description, a.instructions, a.model_config,
    a.rag_enabled, a.embedding_model, a.embedding_dims, a.capabilities, a.scheduling_config,
    a.visibility, a.type, a.status, a.version, a.icon_url, a.metadata, a.created_by, a.created_at, a.updated_at
FROM agents AS a
LEFT JOIN organization_agents AS g
    ON g.agent_id = a.id
    AND g.organization_id = sqlc.arg(organization_id)
WHERE coalesce(g.visibility_override, a.visibility) <> 'hidden'
  AND coalesce(g.enabled, true)
  AND (sqlc.narg(type)::agent_type IS NULL OR a.type = sqlc.narg(type)::agent_type)
  AND (a.name, a.id) > (coalesce(sqlc.narg(cursor_name)::text, ''), coalesce(sqlc.narg(cursor_id)::uuid, '00000000-0000-0000-0000-000000000000'))
ORDER BY a.name, a.id
LIMIT sqlc.arg('limit');

-- name: UpdateAgent :one
-- Change the given fields (NULL leaves a field as it is); admins of the owning organization only.
UPDATE agents
SET name = coalesce(sqlc.narg(name), name),
    description = coalesce(sqlc.narg(description), description),
    instructions = coalesce(sqlc.narg(instructions), instructions),
    model_config = coalesce(sqlc.narg(model_config), model_config),
    rag_enabled = coalesce(sqlc.narg(rag_enabled), rag_enabled),
    embedding_model = coalesce(sqlc.narg(embedding_model), embedding_model),
    embedding_dims = coalesce(sqlc.narg(embedding_dims), embedding_dims),
    capabilities = coalesce(sqlc.narg(capabilities), capabilities),
    scheduling_config = coalesce(sqlc.narg(scheduling_config), scheduling_config),
    visibility = coalesce(sqlc.narg(visibility), visibility),
    type = coalesce(sqlc.narg(type), type),
    status = coalesce(sqlc.narg(status), status),
    version = coalesce(sqlc.narg(version), version),
    icon_url = coalesce(sqlc.narg(icon_url), icon_url),
    metadata = coalesce(sqlc.narg(metadata), metadata)
WHERE id = sqlc.arg(id)
RETURNING id, organization_id, name, description, instructions, model_config,
    rag_enabled, embedding_model, embedding_dims, capabilities, scheduling_config,
    visibility, type, status, version, icon_url, metadata, created_by, created_at, updated_at;

-- name: DeleteAgent :execrows
-- Delete an agent with its knowledge sources, quick tasks and grants; its
-- conversations stay, without agent.
DELETE FROM agents
WHERE id = sqlc.arg(id);

-- name: AddKnowledgeSource :one
-- Add a knowledge source to an agent (one per path); its organization is the agent's.
INSERT INTO agent_knowledge_sources (agent_id, source_type, source_path, source_name, enabled, metadata)
VALUES (
    sqlc.arg(agent_id),
    sqlc.arg(source_type),
    sqlc.arg(source_path),
    sqlc.arg(source_name),
    coalesce(sqlc.narg(enabled)::boolean, true),
    coalesce(sqlc.narg(metadata)::jsonb, '{}')
)
RETURNING id, organization_id, agent_id, source_type, source_path, source_name, enabled, metadata,
    last_synced_at, created_at, updated_at;

-- name: ListKnowledgeSources :many
-- An agent's knowledge sources, by name.
SELECT id, organization_id, agent_id, source_type, source_path, source_name, enabled, metadata,
    last_synced_at, created_at, updated_at
FROM agent_knowledge_sources
WHERE agent_id = sqlc.arg(agent_id)
ORDER BY source_name, id;

-- name: UpdateKnowledgeSource :one
-- Change the given fields of a knowledge source (NULL leaves a field as it is).
UPDATE agent_knowledge_sources
SET source_name = coalesce(sqlc.narg(source_name), source_name),
    enabled = coalesce(sqlc.narg(enabled), enabled),
    metadata = coalesce(sqlc.narg(metadata), metadata),
    last_synced_at = coalesce(sqlc.narg(last_synced_at), last_synced_at)
WHERE id = sqlc.arg(id)
RETURNING id, organization_id, agent_id, source_type, source_path, source_name, enabled, metadata,
    last_synced_at, created_at, updated_at;

-- name: DeleteKnowledgeSource :execrows
DELETE FROM agent_knowledge_sources
WHERE id = sqlc.arg(id);

-- name: AddQuickTask :one
-- Add a quick task to an agent; its organization is the agent's.
INSERT INTO agent_quick_tasks (agent_id, title, prompt, category, icon, order_index, enabled)
VALUES (
    sqlc.arg(agent_id),
    sqlc.arg(title),
    sqlc.arg(prompt),
    sqlc.narg(category),
    sqlc.narg(icon),
    coalesce(sqlc.narg(order_index)::integer, 0),
    coalesce(sqlc.narg(enabled)::boolean, true)
)
RETURNING id, organization_id, agent_id, title, prompt, category, icon, order_index, enabled, created_at, updated_at;

-- name: ListQuickTasks :many
-- An agent's quick tasks in display order; disabled ones only when asked for.
SELECT id, organization_id, agent_id, title, prompt, category, icon, order_index, enabled, created_at, updated_at
FROM agent_quick_tasks
WHERE agent_id = sqlc.arg(agent_id)
  AND (enabled OR sqlc.arg(include_disabled)::boolean)
ORDER BY order_index, id;

-- name: UpdateQuickTask :one
-- Change the given fields of a quick task (NULL leaves a field as it is).
UPDATE agent_quick_tasks
SET title = coalesce(sqlc.narg(title), title),
    prompt = coalesce(sqlc.narg(prompt), prompt),
    category = coalesce(sqlc.narg(category), category),
    icon = coalesce(sqlc.narg(icon), icon),
    order_index = coalesce(sqlc.narg(order_index), order_index),
    enabled = coalesce(sqlc.narg(enabled), enabled)
WHERE id = sqlc.arg(id)
RETURNING id, organization_id, agent_id, title, prompt, category, icon, order_index, enabled, created_at, updated_at;

-- name: DeleteQuickTask :execrows
DELETE FROM agent_quick_tasks
WHERE id = sqlc.arg(id);

-- name: GrantAgentAccess :one
-- Give organization_id access to an agent (admins of the agent's owning
-- organization; app_system for platform agents), or change the grant's settings.
INSERT INTO organization_agents (organization_id, agent_id, enabled, visibility_override, config, granted_by)
VALUES (
    sqlc.arg(organization_id),
    sqlc.arg(agent_id),
    coalesce(sqlc.narg(enabled)::boolean, true),
    sqlc.narg(visibility_override),
    coalesce(sqlc.narg(config)::jsonb, '{}'),
    sqlc.narg(granted_by)
)
ON CONFLICT (organization_id, agent_id) DO UPDATE
SET enabled = excluded.enabled,
    visibility_override = excluded.visibility_override,
    config = excluded.config
RETURNING id, organization_id, agent_id, agent_organization_id, enabled, visibility_override, config,
    granted_by, created_at, updated_at;

-- name: UpdateAgentAccess :one
-- Configure an organization's grant (NULL leaves a field as it is); admins of
-- the grantee or of the agent's owner.
UPDATE organization_agents
SET enabled = coalesce(sqlc.narg(enabled), enabled),
    visibility_override = coalesce(sqlc.narg(visibility_override), visibility_override),
    config = coalesce(sqlc.narg(config), config)
WHERE organization_id = sqlc.arg(organization_id)
  AND agent_id = sqlc.arg(agent_id)
RETURNING id, organization_id, agent_id, agent_organization_id, enabled, visibility_override, config,
    granted_by, created_at, updated_at;

-- name: RevokeAgentAccess :execrows
-- Remove organization_id's grant to an agent.
DELETE FROM organization_agents
WHERE organization_id = sqlc.arg(organization_id)
  AND agent_id = sqlc.arg(agent_id);

-- name: ListAgentAccess :many
-- The grants of an agent the caller may see: to its own organization, or all
-- of them for admins of the agent's owner.
SELECT id, organization_id, agent_id, agent_organization_id, enabled, visibility_override, config,
    granted_by, created_at, updated_at
FROM organization_agents
WHERE agent_id = sqlc.arg(agent_id)
ORDER BY created_at, id;

-- name: ListAgentsPage :many
-- The agents organization_id may use and lists, newest first (the API's cursor
-- order, server/pipeline/pagination.py): hidden ones (by the agent or by the
-- organization's grant) and disabled grants are left out. Page with the last
-- row's (created_at, id) as cursor.
SELECT a.id, a.organization_id, a.name, a.description, a.instructions, a.model_config,
    a.rag_enabled, a.embedding_model, a.embedding_dims, a.capabilities, a.scheduling_config,
    a.visibility, a.type, a.status, a.version, a.icon_url, a.metadata, a.created_by, a.created_at, a.updated_at
FROM agents AS a
LEFT JOIN organization_agents AS g
    ON g.agent_id = a.id
    AND g.organization_id = sqlc.arg(organization_id)
WHERE coalesce(g.visibility_override, a.visibility) <> 'hidden'
  AND coalesce(g.enabled, true)
  AND (sqlc.narg(type)::agent_type IS NULL OR a.type = sqlc.narg(type)::agent_type)
  AND (a.created_at, a.id) < (
      coalesce(sqlc.narg(cursor_at)::timestamptz, 'infinity'),
      coalesce(sqlc.narg(cursor_id)::uuid, 'ffffffff-ffff-ffff-ffff-ffffffffffff')
  )
ORDER BY a.created_at DESC, a.id DESC
LIMIT sqlc.arg('limit');
