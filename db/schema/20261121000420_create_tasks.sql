-- migrate:up

-- The work aggregate: background tasks for agents and the artifacts (code,
-- documents...) agents produce.
--
-- Tasks form a queue: workers claim due pending tasks with FOR UPDATE SKIP
-- LOCKED (ClaimTasks), so two workers never claim one task; a failed attempt
-- goes back to pending with a later run_after (backoff) until max_attempts.
-- Workers run as app_system (every organization) or as a tenant (their own).
--
-- Visibility: the organization's members; a task or artifact of a
-- conversation follows the conversation's access.
--
-- Counter: conversations.task_count is kept by statement triggers (as
-- app_system, which may update only counters).
--
-- ON DELETE:
--   organization -> tasks and artifacts (cascade).
--   conversation -> its tasks and artifacts (cascade).
--   agent -> the tasks assigned to it (cascade: nobody could run them);
--     artifacts it produced stay, agent_id NULL.
--   task -> its artifacts stay, task_id NULL.
--   user (creator) -> created_by becomes NULL.

CREATE TYPE task_status AS ENUM ('pending', 'running', 'succeeded', 'failed', 'cancelled');
COMMENT ON TYPE task_status IS 'pending: waiting to be claimed (from run_after). running: claimed by a worker (locked_by). succeeded / failed (attempts exhausted) / cancelled: finished.';

CREATE TYPE artifact_type AS ENUM ('code', 'document', 'data', 'diagram', 'image', 'other');
COMMENT ON TYPE artifact_type IS 'What an artifact is: source code, a document, data (JSON, CSV...), a diagram, an image, or something else.';

CREATE TABLE tasks (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    conversation_id uuid,
    agent_id uuid NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    created_by uuid REFERENCES users (id) ON DELETE SET NULL,
    task_type text NOT NULL CHECK (btrim(task_type) <> ''),
    status task_status NOT NULL DEFAULT 'pending',
    input jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(input) = 'object'),
    output jsonb,
    error text,
    attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    max_attempts integer NOT NULL DEFAULT 3 CHECK (max_attempts >= 1),
    run_after timestamptz NOT NULL DEFAULT now(),
    locked_at timestamptz,
    locked_by text CHECK (btrim(locked_by) <> ''),
    started_at timestamptz,
    finished_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT tasks_attempts_within_max CHECK (attempts <= max_attempts),
    CONSTRAINT tasks_running_tasks_are_locked CHECK (status <> 'running' OR (locked_at IS NOT NULL AND locked_by IS NOT NULL)),
    CONSTRAINT tasks_finished_tasks_have_finished_at CHECK (
        (status IN ('succeeded', 'failed', 'cancelled')) = (finished_at IS NOT NULL)
    ),
    -- The target of artifacts' (organization_id, task_id) key.
    UNIQUE (organization_id, id),
    FOREIGN KEY (organization_id, conversation_id) REFERENCES conversations (organization_id, id) ON DELETE CASCADE
);
COMMENT ON TABLE tasks IS 'Background tasks for agents, a queue claimed with FOR UPDATE SKIP LOCKED; failed attempts are retried with backoff until max_attempts.';
COMMENT ON COLUMN tasks.conversation_id IS 'The conversation (session) the task was delegated from; NULL for standalone tasks.';
COMMENT ON COLUMN tasks.agent_id IS 'The agent assigned to the task.';
COMMENT ON COLUMN tasks.task_type IS 'What to do, named by the agent''s capabilities, e.g. summarize, analyze_portfolio.';
COMMENT ON COLUMN tasks.input IS 'The task''s parameters (a JSON object).';
COMMENT ON COLUMN tasks.output IS 'The result, any JSON; NULL until succeeded.';
COMMENT ON COLUMN tasks.error IS 'The last attempt''s error.';
COMMENT ON COLUMN tasks.attempts IS 'Attempts started (incremented by each claim), at most max_attempts.';
COMMENT ON COLUMN tasks.run_after IS 'Not claimed before this time (scheduling and retry backoff).';
COMMENT ON COLUMN tasks.locked_at IS 'When the running attempt was claimed.';
COMMENT ON COLUMN tasks.locked_by IS 'The worker running the task (a name of its choosing).';
COMMENT ON COLUMN tasks.started_at IS 'When the first attempt was claimed.';
COMMENT ON COLUMN tasks.finished_at IS 'When the task succeeded, failed for good or was cancelled.';
CREATE INDEX tasks_claimable_idx ON tasks (run_after, id) WHERE status = 'pending';
CREATE INDEX tasks_organization_created_at_idx ON tasks (organization_id, created_at DESC, id DESC);
CREATE INDEX tasks_conversation_idx ON tasks (organization_id, conversation_id) WHERE conversation_id IS NOT NULL;
CREATE INDEX tasks_agent_id_idx ON tasks (agent_id);
CREATE INDEX tasks_created_by_idx ON tasks (created_by) WHERE created_by IS NOT NULL;
CREATE INDEX tasks_running_locked_at_idx ON tasks (locked_at) WHERE status = 'running';

CREATE TABLE artifacts (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    conversation_id uuid,
    task_id uuid,
    agent_id uuid REFERENCES agents (id) ON DELETE SET NULL,
    created_by uuid REFERENCES users (id) ON DELETE SET NULL,
    artifact_type artifact_type NOT NULL,
    name text NOT NULL CHECK (btrim(name) <> ''),
    content text NOT NULL DEFAULT '',
    mime_type text CHECK (btrim(mime_type) <> ''),
    metadata jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (organization_id, conversation_id) REFERENCES conversations (organization_id, id) ON DELETE CASCADE,
    FOREIGN KEY (organization_id, task_id) REFERENCES tasks (organization_id, id) ON DELETE SET NULL (task_id)
);
COMMENT ON TABLE artifacts IS 'Generated code, documents and other outputs, optionally of a conversation and of the task that produced them.';
COMMENT ON COLUMN artifacts.conversation_id IS 'The conversation the artifact belongs to; NULL for standalone ones.';
COMMENT ON COLUMN artifacts.task_id IS 'The task that produced it; NULL when none or the task was deleted.';
COMMENT ON COLUMN artifacts.agent_id IS 'The agent that produced it; NULL when none or the agent was deleted.';
COMMENT ON COLUMN artifacts.content IS 'The artifact''s text (source code, markdown...).';
COMMENT ON COLUMN artifacts.mime_type IS 'Content type of content, e.g. text/x-python.';
COMMENT ON COLUMN artifacts.metadata IS 'Language, version, file name and other details.';
CREATE INDEX artifacts_organization_created_at_idx ON artifacts (organization_id, created_at DESC, id DESC);
CREATE INDEX artifacts_conversation_idx ON artifacts (organization_id, conversation_id) WHERE conversation_id IS NOT NULL;
CREATE INDEX artifacts_task_idx ON artifacts (organization_id, task_id) WHERE task_id IS NOT NULL;
CREATE INDEX artifacts_agent_id_idx ON artifacts (agent_id) WHERE agent_id IS NOT NULL;
CREATE INDEX artifacts_created_by_idx ON artifacts (created_by) WHERE created_by IS NOT NULL;

CREATE TRIGGER tasks_set_updated_at BEFORE UPDATE ON tasks
    FOR EACH ROW EXECUTE FUNCTION app.set_updated_at();
CREATE TRIGGER artifacts_set_updated_at BEFORE UPDATE ON artifacts
    FOR EACH ROW EXECUTE FUNCTION app.set_updated_at();

-- Counter: statement triggers, one UPDATE per conversation and statement.
CREATE FUNCTION app.count_inserted_tasks() RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
    UPDATE public.conversations AS c
    SET task_count = c.task_count + n.tasks
    FROM (
        SELECT t.conversation_id, count(*) AS tasks
        FROM inserted_tasks AS t
        WHERE t.conversation_id IS NOT NULL
        GROUP BY t.conversation_id
    ) AS n
    WHERE c.id = n.conversation_id;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION app.count_inserted_tasks() IS 'AFTER INSERT statement trigger on tasks: adds the new tasks to their conversations'' task_count.';
ALTER FUNCTION app.count_inserted_tasks() OWNER TO app_system;
REVOKE ALL ON FUNCTION app.count_inserted_tasks() FROM PUBLIC;

CREATE FUNCTION app.count_deleted_tasks() RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
    -- A cascade from a deleted conversation finds no conversation row: nothing to do.
    UPDATE public.conversations AS c
    SET task_count = c.task_count - n.tasks
    FROM (
        SELECT t.conversation_id, count(*) AS tasks
        FROM deleted_tasks AS t
        WHERE t.conversation_id IS NOT NULL
        GROUP BY t.conversation_id
    ) AS n
    WHERE c.id = n.conversation_id;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION app.count_deleted_tasks() IS 'AFTER DELETE statement trigger on tasks: subtracts the deleted tasks from their conversations'' task_count.';
ALTER FUNCTION app.count_deleted_tasks() OWNER TO app_system;
REVOKE ALL ON FUNCTION app.count_deleted_tasks() FROM PUBLIC;

CREATE TRIGGER tasks_count_inserted AFTER INSERT ON tasks
    REFERENCING NEW TABLE AS inserted_tasks
    FOR EACH STATEMENT EXECUTE FUNCTION app.count_inserted_tasks();
CREATE TRIGGER tasks_count_deleted AFTER DELETE ON tasks
    REFERENCING OLD TABLE AS deleted_tasks
    FOR EACH STATEMENT EXECUTE FUNCTION app.count_deleted_tasks();

-- Grants. Tenants create, run (their organization's queue), cancel and delete
-- tasks, but never move one to another organization, conversation or agent.
-- app_system is the cross-organization worker: it claims and finishes tasks.
GRANT SELECT, DELETE ON tasks TO app_tenant;
GRANT INSERT (
    id, organization_id, conversation_id, agent_id, created_by, task_type, input, max_attempts, run_after
) ON tasks TO app_tenant;
GRANT UPDATE (
    status, output, error, attempts, run_after, locked_at, locked_by, started_at, finished_at
) ON tasks TO app_tenant;
GRANT SELECT, DELETE ON artifacts TO app_tenant;
GRANT INSERT (
    id, organization_id, conversation_id, task_id, agent_id, created_by, artifact_type, name, content, mime_type, metadata
) ON artifacts TO app_tenant;
GRANT UPDATE (name, content, mime_type, metadata) ON artifacts TO app_tenant;
GRANT SELECT ON tasks, artifacts TO app_system;
GRANT UPDATE (
    status, output, error, attempts, run_after, locked_at, locked_by, started_at, finished_at
) ON tasks TO app_system;
GRANT INSERT (
    id, organization_id, conversation_id, task_id, agent_id, created_by, artifact_type, name, content, mime_type, metadata
) ON artifacts TO app_system;

ALTER TABLE tasks ENABLE ROW LEVEL SECURITY;
ALTER TABLE tasks FORCE ROW LEVEL SECURITY;
ALTER TABLE artifacts ENABLE ROW LEVEL SECURITY;
ALTER TABLE artifacts FORCE ROW LEVEL SECURITY;

-- tasks

CREATE POLICY "members read their organization's tasks" ON tasks
    FOR SELECT TO app_tenant
    USING (
        organization_id = (SELECT app.current_org_id())
        AND (conversation_id IS NULL OR app.can_access_conversation(conversation_id))
    );
CREATE POLICY "members delegate tasks to agents they may use" ON tasks
    FOR INSERT TO app_tenant
    WITH CHECK (
        organization_id = (SELECT app.current_org_id())
        AND (conversation_id IS NULL OR app.can_access_conversation(conversation_id))
        AND agent_id IN (SELECT a.id FROM agents AS a)
        AND (created_by IS NULL OR created_by = (SELECT app.current_user_id()))
    );
CREATE POLICY "members run and cancel their organization's tasks" ON tasks
    FOR UPDATE TO app_tenant
    USING (
        organization_id = (SELECT app.current_org_id())
        AND (conversation_id IS NULL OR app.can_access_conversation(conversation_id))
    )
    WITH CHECK (organization_id = (SELECT app.current_org_id()));
CREATE POLICY "members delete their organization's tasks" ON tasks
    FOR DELETE TO app_tenant
    USING (
        organization_id = (SELECT app.current_org_id())
        AND (conversation_id IS NULL OR app.can_access_conversation(conversation_id))
    );
CREATE POLICY "system workers read every task" ON tasks
    FOR SELECT TO app_system
    USING (true);
CREATE POLICY "system workers run every task" ON tasks
    FOR UPDATE TO app_system
    USING (true)
    WITH CHECK (true);

-- artifacts

CREATE POLICY "members read their organization's artifacts" ON artifacts
    FOR SELECT TO app_tenant
    USING (
        organization_id = (SELECT app.current_org_id())
        AND (conversation_id IS NULL OR app.can_access_conversation(conversation_id))
    );
CREATE POLICY "members add artifacts to their organization" ON artifacts
    FOR INSERT TO app_tenant
    WITH CHECK (
        organization_id = (SELECT app.current_org_id())
        AND (conversation_id IS NULL OR app.can_access_conversation(conversation_id))
        AND (agent_id IS NULL OR agent_id IN (SELECT a.id FROM agents AS a))
        AND (created_by IS NULL OR created_by = (SELECT app.current_user_id()))
    );
CREATE POLICY "members update their organization's artifacts" ON artifacts
    FOR UPDATE TO app_tenant
    USING (
        organization_id = (SELECT app.current_org_id())
        AND (conversation_id IS NULL OR app.can_access_conversation(conversation_id))
    )
    WITH CHECK (organization_id = (SELECT app.current_org_id()));
CREATE POLICY "members delete their organization's artifacts" ON artifacts
    FOR DELETE TO app_tenant
    USING (
        organization_id = (SELECT app.current_org_id())
        AND (conversation_id IS NULL OR app.can_access_conversation(conversation_id))
    );
CREATE POLICY "system workers read every artifact" ON artifacts
    FOR SELECT TO app_system
    USING (true);
CREATE POLICY "system workers store artifacts" ON artifacts
    FOR INSERT TO app_system
    WITH CHECK (true);

-- migrate:down

DROP TABLE artifacts;
DROP TABLE tasks;
DROP FUNCTION app.count_deleted_tasks();
DROP FUNCTION app.count_inserted_tasks();
DROP TYPE artifact_type;
DROP TYPE task_status;
