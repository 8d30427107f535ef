-- migrate:up

-- The outbox of objects to remove from storage (the workspace tree or the S3
-- bucket, SPEC section 4): rows and objects never disagree, because an object
-- leaves storage only through this table, after the rows that named it are gone.
--
-- Two kinds of entries:
--   'deleted'  a files row was deleted (by a user, with its conversation, with
--              a purged organization, by retention): written by the AFTER
--              DELETE trigger on files, in the deleting transaction, so a crash
--              after the commit leaves work for the next drain, never a row
--              pointing at nothing. Due at once.
--   'upload'   an upload in progress reserved its path before writing the
--              object: the transaction that records the files row deletes the
--              reservation (ReleaseFilePath), and an upload that fails removes
--              its object and then the reservation. One the server never came
--              back to (it crashed mid-upload) is due a day later, so the drain
--              removes the orphan object. An upload that finds its reservation
--              already drained fails instead of recording a row.
--
-- Draining (app_system: the server right after a delete commits, and the
-- jobs.file_outbox job): ClaimFileDeletions locks due entries FOR UPDATE SKIP
-- LOCKED (several drainers never take one entry twice), the object is removed,
-- then the entry (FinishFileDeletions) in the same transaction; a failure is
-- recorded and retried later (FailFileDeletion). An entry whose path a files
-- row owns is dropped without touching the object.
--
-- Visibility: app_tenant inserts and releases its organization's upload
-- reservations only; app_system reads and drains every entry.
-- ON DELETE: none. organization_id references no table: entries outlive a
-- purged organization, whose objects they are there to remove.

CREATE TYPE file_deletion_reason AS ENUM ('upload', 'deleted');
COMMENT ON TYPE file_deletion_reason IS 'upload: a path reserved by an upload in progress (its object may exist without a row). deleted: the files row is gone; its object must go.';

CREATE TABLE file_deletions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL,
    path text NOT NULL UNIQUE CHECK (btrim(path) <> '' AND path !~ '(^/|(^|/)\.\.(/|$))'),
    reason file_deletion_reason NOT NULL DEFAULT 'upload',
    not_before timestamptz NOT NULL DEFAULT now() + interval '1 day',
    attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error text,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    CONSTRAINT file_deletions_path_in_organization CHECK (starts_with(path, organization_id::text || '/'))
);
COMMENT ON TABLE file_deletions IS 'Objects to remove from storage once due: those of deleted files rows, and paths reserved by uploads in progress (orphans when the server never came back). Drained by app_system; see the migration''s header.';
COMMENT ON COLUMN file_deletions.path IS 'The object''s path under WORKSPACES_DIR or the WORKSPACES_URL prefix (files.path).';
COMMENT ON COLUMN file_deletions.not_before IS 'When the entry is due: at once for a deleted row; a day after an upload reserved its path.';
COMMENT ON COLUMN file_deletions.attempts IS 'Failed attempts to remove the object so far.';
COMMENT ON COLUMN file_deletions.last_error IS 'Why the last attempt failed.';
CREATE INDEX file_deletions_organization_id_idx ON file_deletions (organization_id);
CREATE INDEX file_deletions_not_before_idx ON file_deletions (not_before);

GRANT SELECT, DELETE ON file_deletions TO app_tenant;
GRANT INSERT (organization_id, path) ON file_deletions TO app_tenant;
GRANT SELECT, INSERT, UPDATE, DELETE ON file_deletions TO app_system;

ALTER TABLE file_deletions ENABLE ROW LEVEL SECURITY;
ALTER TABLE file_deletions FORCE ROW LEVEL SECURITY;

CREATE POLICY "members read their organization's upload reservations" ON file_deletions
    FOR SELECT TO app_tenant
    USING (organization_id = (SELECT app.current_org_id()) AND reason = 'upload');
CREATE POLICY "members reserve upload paths in their organization's tree" ON file_deletions
    FOR INSERT TO app_tenant
    WITH CHECK (
        organization_id = (SELECT app.current_org_id())
        AND reason = 'upload'
        AND not_before > now()
    );
CREATE POLICY "members release their organization's upload reservations" ON file_deletions
    FOR DELETE TO app_tenant
    USING (organization_id = (SELECT app.current_org_id()) AND reason = 'upload');
CREATE POLICY "system reads every pending deletion" ON file_deletions
    FOR SELECT TO app_system
    USING (true);
CREATE POLICY "system records the deletions of files rows" ON file_deletions
    FOR INSERT TO app_system
    WITH CHECK (reason = 'deleted');
CREATE POLICY "system records failed deletion attempts" ON file_deletions
    FOR UPDATE TO app_system
    USING (true)
    WITH CHECK (true);
CREATE POLICY "system drains pending deletions" ON file_deletions
    FOR DELETE TO app_system
    USING (true);

-- Whoever deletes files rows (a member, a cascade from a conversation or an
-- organization, retention) queues their objects in the same transaction.
CREATE FUNCTION app.queue_deleted_file_objects() RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
    INSERT INTO public.file_deletions (organization_id, path, reason, not_before)
    SELECT d.organization_id, d.path, 'deleted', now()
    FROM deleted_files AS d
    ON CONFLICT (path) DO UPDATE
    SET reason = 'deleted', not_before = now();
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION app.queue_deleted_file_objects() IS 'AFTER DELETE statement trigger on files: queues each deleted row''s object in file_deletions, due at once.';
ALTER FUNCTION app.queue_deleted_file_objects() OWNER TO app_system;
REVOKE ALL ON FUNCTION app.queue_deleted_file_objects() FROM PUBLIC;

CREATE TRIGGER files_queue_deleted_objects AFTER DELETE ON files
    REFERENCING OLD TABLE AS deleted_files
    FOR EACH STATEMENT EXECUTE FUNCTION app.queue_deleted_file_objects();

COMMENT ON TABLE files IS 'Files of a conversation (uploaded, generated or attached), stored under WORKSPACES_DIR (or the WORKSPACES_URL bucket) by a server-chosen name. The object is written completely before the row is committed; deleting the row queues the object in file_deletions, which removes it after the commit.';

-- migrate:down

COMMENT ON TABLE files IS 'Files of a conversation (uploaded, generated or attached), stored under WORKSPACES_DIR by a server-chosen name. Deleting the row does not touch the disk: the retention job removes files without rows.';
DROP TRIGGER files_queue_deleted_objects ON files;
DROP FUNCTION app.queue_deleted_file_objects();
DROP TABLE file_deletions;
DROP TYPE file_deletion_reason;
