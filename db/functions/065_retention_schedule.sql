-- Retention inside the database, for pg_cron (where the server has it: Neon,
-- most managed PostgreSQL). Elsewhere python -m jobs.scheduler runs
-- python -m jobs.retention's code on the same schedule.

-- fn.retention_step(p_step, p_now, p_batch, p_default_days, p_webhook_keep, p_idempotency_keep)
-- Input:  a step name (conversations, agent_states, state_checkpoints,
--         webhook_events, idempotency_keys, embeddings) and the parameters of
--         the db/functions/060_retention.sql function it names.
-- Output: that function's rows (table_name, deleted): one bounded batch.
-- Locks, deletes, runs as: as that function (the caller, app_system).
CREATE OR REPLACE FUNCTION fn.retention_step(
    p_step text, p_now timestamptz, p_batch integer, p_default_days integer, p_webhook_keep interval, p_idempotency_keep interval
)
RETURNS TABLE (table_name text, deleted bigint)
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
BEGIN
    CASE p_step
        WHEN 'conversations' THEN RETURN QUERY SELECT * FROM fn.expire_conversations(p_now, p_batch, p_default_days);
        WHEN 'agent_states' THEN RETURN QUERY SELECT * FROM fn.expire_agent_states(p_now, p_batch, p_default_days);
        WHEN 'state_checkpoints' THEN RETURN QUERY SELECT * FROM fn.expire_checkpoints(p_now, p_batch, p_default_days);
        WHEN 'webhook_events' THEN RETURN QUERY SELECT * FROM fn.expire_webhook_events(p_now, p_batch, p_webhook_keep);
        WHEN 'idempotency_keys' THEN RETURN QUERY SELECT * FROM fn.expire_idempotency_keys(p_now, p_batch, p_idempotency_keep);
        WHEN 'embeddings' THEN RETURN QUERY SELECT * FROM fn.expire_orphan_embeddings(p_batch);
        ELSE RAISE EXCEPTION 'unknown retention step %', p_step USING ERRCODE = '22023';
    END CASE;
END
$$;
REVOKE ALL ON FUNCTION fn.retention_step(text, timestamptz, integer, integer, interval, interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION fn.retention_step(text, timestamptz, integer, integer, interval, interval) TO app_system;

-- CALL fn.run_retention(p_now, p_batch, p_default_days, p_webhook_days, p_idempotency_hours)
-- What pg_cron runs: one whole retention run, the same steps and batches as
-- python -m jobs.retention, each batch committed on its own (a procedure, so
-- it can COMMIT; hence no SET clause: every name is schema-qualified). Each
-- transaction acts as app_system (SET LOCAL ROLE): the caller must be a member
-- of it (the migration owner is).
-- Input:  p_now (NULL: the time of the call), batch size, default window in
--         days, webhook deliveries' and Idempotency-Key responses' lifetimes.
-- Writes: a retention_runs row (start; end and counts once done; a run that
--         dies keeps finished_at NULL). Holds the session advisory lock of
--         jobs.retention while it runs; returns at once when another run has it.
-- Files:  the deleted files rows' objects stay queued in file_deletions: the
--         database cannot reach storage. python -m jobs.file_outbox removes them.
CREATE OR REPLACE PROCEDURE fn.run_retention(
    p_now timestamptz DEFAULT NULL,
    p_batch integer DEFAULT 1000,
    p_default_days integer DEFAULT 30,
    p_webhook_days integer DEFAULT 30,
    p_idempotency_hours integer DEFAULT 24
)
LANGUAGE plpgsql
AS $$
DECLARE
    v_now timestamptz := coalesce(p_now, pg_catalog.now());
    v_run uuid;
    v_counts jsonb := '{}';
    v_step text;
    v_own bigint;
    r record;
BEGIN
    IF p_batch < 1 OR p_default_days < 1 OR p_webhook_days < 1 OR p_idempotency_hours < 1 THEN
        RAISE EXCEPTION 'batch, days and hours must be at least 1' USING ERRCODE = '22023';
    END IF;
    IF NOT pg_catalog.pg_try_advisory_lock(pg_catalog.hashtextextended('jobs.retention', 0)) THEN
        RAISE NOTICE 'another retention run is going on';
        RETURN;
    END IF;
    PERFORM pg_catalog.set_config('role', 'app_system', true);
    INSERT INTO public.retention_runs (now_param) VALUES (v_now) RETURNING id INTO v_run;
    COMMIT;
    FOREACH v_step IN ARRAY ARRAY['conversations', 'agent_states', 'state_checkpoints', 'webhook_events',
                                  'idempotency_keys', 'embeddings'] LOOP
        LOOP
            PERFORM pg_catalog.set_config('role', 'app_system', true);
            v_own := 0;
            FOR r IN
                SELECT s.table_name, s.deleted
                FROM fn.retention_step(
                    v_step, v_now, p_batch, p_default_days,
                    pg_catalog.make_interval(days => p_webhook_days), pg_catalog.make_interval(hours => p_idempotency_hours)
                ) AS s
            LOOP
                IF r.deleted > 0 THEN
                    v_counts := v_counts || pg_catalog.jsonb_build_object(
                        r.table_name, coalesce((v_counts ->> r.table_name)::bigint, 0) + r.deleted
                    );
                END IF;
                IF r.table_name = v_step THEN
                    v_own := r.deleted;
                END IF;
            END LOOP;
            COMMIT;
            EXIT WHEN v_own < p_batch;
        END LOOP;
    END LOOP;
    PERFORM pg_catalog.set_config('role', 'app_system', true);
    UPDATE public.retention_runs SET finished_at = pg_catalog.clock_timestamp(), counts = v_counts WHERE id = v_run;
    COMMIT;
    PERFORM pg_catalog.pg_advisory_unlock(pg_catalog.hashtextextended('jobs.retention', 0));
END
$$;
REVOKE ALL ON PROCEDURE fn.run_retention(timestamptz, integer, integer, integer, integer) FROM PUBLIC;

-- fn.schedule_retention(p_schedule, p_batch, p_default_days)
-- Registers (or updates: cron.schedule replaces a job of the same name) the
-- pg_cron job 'aj_copilot_retention' that CALLs fn.run_retention on
-- p_schedule (a cron expression, UTC), when the pg_cron extension is
-- installed in this database; a no-op otherwise. Idempotent either way.
-- Output: one row: the job's name, schedule and command, and whether it was
--         registered (false: no pg_cron here; use python -m jobs.scheduler).
-- Runs as: the caller (the migration owner, which pg_cron then runs the job as).
CREATE OR REPLACE FUNCTION fn.schedule_retention(
    p_schedule text DEFAULT '17 3 * * *', p_batch integer DEFAULT 1000, p_default_days integer DEFAULT 30
)
RETURNS TABLE (job_name text, schedule text, command text, scheduled boolean)
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
BEGIN
    IF p_batch < 1 OR p_default_days < 1 THEN
        RAISE EXCEPTION 'batch and days must be at least 1' USING ERRCODE = '22023';
    END IF;
    job_name := 'aj_copilot_retention';
    schedule := p_schedule;
    command := pg_catalog.format('CALL fn.run_retention(p_batch => %s, p_default_days => %s)', p_batch, p_default_days);
    scheduled := false;
    IF EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'pg_cron') THEN
        -- Dynamic: the cron schema exists only with the extension.
        EXECUTE 'SELECT cron.schedule($1, $2, $3)' USING job_name, schedule, command;
        scheduled := true;
    END IF;
    RETURN NEXT;
END
$$;
REVOKE ALL ON FUNCTION fn.schedule_retention(text, integer, integer) FROM PUBLIC;
