"""The SQL linter (tools/sqllint.py): each rule on small migration sets written to tmp_path.

Pure Python: no database. Line numbers in the expectations count from the
`-- migrate:up` marker, which `Project.migration` writes on line 1.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from tools import sqllint


@dataclass
class Project:
    migrations: Path
    functions: Path

    def migration(self, name: str, up: str, down: str = "SELECT 1;") -> Path:
        """Write a migration: the marker on line 1, `up` from line 2, then the down section."""
        body = f"-- migrate:up\n{textwrap.dedent(up).strip()}\n\n-- migrate:down\n{textwrap.dedent(down).strip()}\n"
        return self.raw_migration(name, body)

    def raw_migration(self, name: str, text: str) -> Path:
        path = self.migrations / name
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
        return path

    def function_file(self, name: str, text: str) -> Path:
        path = self.functions / name
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
        return path

    def findings(self) -> list[sqllint.Finding]:
        return sqllint.lint(self.migrations, self.functions).findings

    def found(self) -> list[tuple[str, int, str]]:
        """(file name, line, rule) of every unsuppressed finding, in output order."""
        return [(f.path.name, f.line, f.rule) for f in self.findings()]


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """Empty db/schema and db/functions directories under tmp_path."""
    migrations, functions = tmp_path / "db" / "schema", tmp_path / "db" / "functions"
    migrations.mkdir(parents=True)
    functions.mkdir()
    return Project(migrations, functions)


ORGANIZATIONS = "CREATE TABLE organizations (id uuid PRIMARY KEY);"

# A tenant table that satisfies every rule; tests take pieces away from it.
RLS = """
ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
ALTER TABLE notes FORCE ROW LEVEL SECURITY;
"""
POLICY = """
CREATE POLICY "members read their organization's notes" ON notes
    USING (organization_id = (SELECT current_setting('app.org_id')::uuid));
"""
NOTES = """
CREATE TABLE notes (
    id uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id)
);
CREATE INDEX notes_organization_id_idx ON notes (organization_id);
"""


# ---------------------------------------------------------------------------
# rls-forced


def test_tenant_table_without_rls_is_reported_at_its_create_table(project: Project) -> None:
    project.migration("001_notes.sql", ORGANIZATIONS + NOTES)

    findings = project.findings()

    assert [(f.line, f.rule) for f in findings] == [(3, "rls-forced")]
    assert findings[0].message == (
        "public.notes has an organization_id column but lacks"
        " ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY, a policy"
    )


def test_tenant_table_with_rls_enabled_forced_and_a_policy_is_clean(project: Project) -> None:
    project.migration("001_notes.sql", ORGANIZATIONS + NOTES + RLS + POLICY)

    assert project.found() == []


def test_rls_enabled_but_not_forced_names_only_force(project: Project) -> None:
    project.migration("001_notes.sql", ORGANIZATIONS + NOTES + "ALTER TABLE notes ENABLE ROW LEVEL SECURITY;" + POLICY)

    findings = project.findings()

    assert [(f.line, f.rule) for f in findings] == [(3, "rls-forced")]
    assert findings[0].message.endswith("lacks FORCE ROW LEVEL SECURITY")


def test_rls_forced_and_policy_added_by_later_migrations_count(project: Project) -> None:
    project.migration("001_notes.sql", ORGANIZATIONS + NOTES)
    project.migration(
        "002_notes_rls.sql", "ALTER TABLE public.notes ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;"
    )
    project.migration("003_notes_policy.sql", POLICY)

    assert project.found() == []


def test_policy_dropped_by_later_migration_leaves_table_unprotected(project: Project) -> None:
    project.migration("001_notes.sql", ORGANIZATIONS + NOTES + RLS + POLICY)
    project.migration("002_drop_policy.sql", 'DROP POLICY "members read their organization\'s notes" ON notes;')

    assert project.found() == [("001_notes.sql", 3, "rls-forced")]


def test_no_force_row_level_security_in_later_migration_is_reported(project: Project) -> None:
    project.migration("001_notes.sql", ORGANIZATIONS + NOTES + RLS + POLICY)
    project.migration("002_unforce.sql", "ALTER TABLE notes NO FORCE ROW LEVEL SECURITY;")

    assert project.found() == [("001_notes.sql", 3, "rls-forced")]


def test_organization_id_added_by_alter_table_makes_a_tenant_table(project: Project) -> None:
    project.migration("001_tags.sql", ORGANIZATIONS + "\nCREATE TABLE tags (id uuid PRIMARY KEY);")
    project.migration(
        "002_tags_org.sql",
        """
        ALTER TABLE tags ADD COLUMN organization_id uuid NOT NULL;
        CREATE INDEX ON tags (organization_id);
        """,
    )

    assert project.found() == [("001_tags.sql", 3, "rls-forced")]


def test_rls_state_follows_a_renamed_table(project: Project) -> None:
    project.migration("001_notes.sql", ORGANIZATIONS + NOTES + RLS + POLICY)
    project.migration("002_rename.sql", "ALTER TABLE notes RENAME TO memos;")

    assert project.found() == []


def test_table_without_organization_id_needs_no_rls(project: Project) -> None:
    project.migration("001_orgs.sql", ORGANIZATIONS)

    assert project.found() == []


def test_dropped_tenant_table_is_not_checked(project: Project) -> None:
    project.migration("001_notes.sql", ORGANIZATIONS + NOTES)
    project.migration("002_drop.sql", "DROP TABLE notes;")

    assert project.found() == []


# ---------------------------------------------------------------------------
# fk-index


def test_unindexed_foreign_key_is_reported_at_its_column(project: Project) -> None:
    project.migration(
        "001_notes.sql",
        ORGANIZATIONS
        + """
        CREATE TABLE notes (
            id uuid PRIMARY KEY,
            author_id uuid REFERENCES organizations (id)
        );
        """,
    )

    findings = project.findings()

    assert [(f.line, f.rule) for f in findings] == [(5, "fk-index")]
    assert findings[0].message == (
        "foreign key public.notes (author_id) references public.organizations has no index starting"
        " with its columns: add CREATE INDEX ON public.notes (author_id)"
    )


def test_foreign_key_indexed_by_a_later_migration_is_clean(project: Project) -> None:
    project.migration(
        "001_notes.sql", ORGANIZATIONS + "CREATE TABLE notes (id uuid PRIMARY KEY, org uuid REFERENCES organizations);"
    )
    project.migration(
        "002_index.sql", "CREATE INDEX CONCURRENTLY IF NOT EXISTS notes_org_idx ON public.notes USING btree (org);"
    )

    assert project.found() == []


def test_primary_key_and_unique_constraints_index_their_leading_columns(project: Project) -> None:
    project.migration(
        "001_members.sql",
        """
        CREATE TABLE orgs (id uuid PRIMARY KEY);
        CREATE TABLE people (id uuid PRIMARY KEY);
        CREATE TABLE members (
            org_id uuid REFERENCES orgs,
            person_id uuid REFERENCES people,
            PRIMARY KEY (org_id, person_id)
        );
        CREATE TABLE badges (
            person_id uuid UNIQUE REFERENCES people
        );
        """,
    )

    # (org_id, person_id) serves org_id; person_id, second in it, needs its own index.
    assert project.found() == [("001_members.sql", 6, "fk-index")]


def test_table_level_foreign_key_added_by_alter_table_is_reported_at_the_constraint(project: Project) -> None:
    project.migration("001_tables.sql", ORGANIZATIONS + "\nCREATE TABLE notes (id uuid PRIMARY KEY, org uuid);")
    project.migration(
        "002_fk.sql",
        """
        ALTER TABLE notes
            ADD CONSTRAINT notes_org_fkey FOREIGN KEY (org) REFERENCES organizations (id);
        """,
    )

    assert project.found() == [("002_fk.sql", 3, "fk-index")]


def test_dropped_foreign_key_constraint_needs_no_index(project: Project) -> None:
    project.migration(
        "001_tables.sql",
        ORGANIZATIONS + "\nCREATE TABLE notes (id uuid PRIMARY KEY, org uuid REFERENCES organizations);",
    )
    project.migration("002_drop_fk.sql", "ALTER TABLE notes DROP CONSTRAINT notes_org_fkey;")

    assert project.found() == []


def test_dropped_foreign_key_column_needs_no_index(project: Project) -> None:
    project.migration(
        "001_tables.sql",
        ORGANIZATIONS + "\nCREATE TABLE notes (id uuid PRIMARY KEY, org uuid REFERENCES organizations);",
    )
    project.migration("002_drop_column.sql", "ALTER TABLE notes DROP COLUMN org;")

    assert project.found() == []


def test_dropped_index_no_longer_serves_the_foreign_key(project: Project) -> None:
    project.migration(
        "001_tables.sql",
        ORGANIZATIONS
        + "\nCREATE TABLE notes (id uuid PRIMARY KEY, org uuid REFERENCES organizations);\nCREATE INDEX ON notes (org);",
    )
    project.migration("002_drop_index.sql", "DROP INDEX notes_org_idx;")

    assert project.found() == [("001_tables.sql", 3, "fk-index")]


def test_multi_column_foreign_key_is_served_by_an_index_on_its_columns_in_any_order(project: Project) -> None:
    project.migration(
        "001_tables.sql",
        """
        CREATE TABLE agents (org_id uuid, id uuid, PRIMARY KEY (org_id, id));
        CREATE TABLE runs (
            id uuid PRIMARY KEY,
            org_id uuid,
            agent_id uuid,
            FOREIGN KEY (org_id, agent_id) REFERENCES agents (org_id, id)
        );
        CREATE INDEX runs_agent_idx ON runs (agent_id, org_id, id);
        """,
    )

    assert project.found() == []


def test_multi_column_foreign_key_is_not_served_by_an_index_on_part_of_it(project: Project) -> None:
    project.migration(
        "001_tables.sql",
        """
        CREATE TABLE agents (org_id uuid, id uuid, PRIMARY KEY (org_id, id));
        CREATE TABLE runs (
            id uuid PRIMARY KEY,
            org_id uuid,
            agent_id uuid,
            FOREIGN KEY (org_id, agent_id) REFERENCES agents (org_id, id)
        );
        CREATE INDEX ON runs (org_id);
        CREATE INDEX ON runs (org_id, id, agent_id);
        """,
    )

    findings = project.findings()

    assert [(f.line, f.rule) for f in findings] == [(7, "fk-index")]
    assert "(org_id, agent_id)" in findings[0].message


def test_expression_index_does_not_count_as_an_index_on_the_column(project: Project) -> None:
    project.migration(
        "001_tables.sql",
        ORGANIZATIONS
        + "\nCREATE TABLE notes (id uuid PRIMARY KEY, org uuid REFERENCES organizations);\nCREATE INDEX ON notes ((org::text));",
    )

    assert project.found() == [("001_tables.sql", 3, "fk-index")]


def test_parenthesised_bare_column_is_a_column_index(project: Project) -> None:
    project.migration(
        "001_tables.sql",
        ORGANIZATIONS
        + "\nCREATE TABLE notes (id uuid PRIMARY KEY, org uuid REFERENCES organizations);\nCREATE INDEX ON notes ((org));",
    )

    assert project.found() == []


@pytest.mark.parametrize(
    ("predicate", "expected"),
    [
        ("WHERE org IS NOT NULL", []),
        ("WHERE deleted_at IS NULL", [("001_tables.sql", 3, "fk-index")]),
    ],
)
def test_partial_index_serves_a_foreign_key_only_when_it_just_skips_nulls(
    project: Project, predicate: str, expected: list[tuple[str, int, str]]
) -> None:
    project.migration(
        "001_tables.sql",
        ORGANIZATIONS
        + "\nCREATE TABLE notes (id uuid PRIMARY KEY, org uuid REFERENCES organizations, deleted_at timestamptz);"
        + f"\nCREATE INDEX ON notes (org) {predicate};",
    )

    assert project.found() == expected


def test_gin_index_does_not_serve_a_foreign_key(project: Project) -> None:
    project.migration(
        "001_tables.sql",
        ORGANIZATIONS
        + "\nCREATE TABLE notes (id uuid PRIMARY KEY, org uuid REFERENCES organizations);\nCREATE INDEX ON notes USING gin (org);",
    )

    assert project.found() == [("001_tables.sql", 3, "fk-index")]


def test_renamed_column_keeps_its_index(project: Project) -> None:
    project.migration(
        "001_tables.sql",
        ORGANIZATIONS
        + "\nCREATE TABLE notes (id uuid PRIMARY KEY, org uuid REFERENCES organizations);\nCREATE INDEX ON notes (org);",
    )
    project.migration("002_rename.sql", "ALTER TABLE notes RENAME COLUMN org TO organization_ref;")

    assert project.found() == []


def test_schema_qualified_tables_are_kept_apart(project: Project) -> None:
    project.migration(
        "001_tables.sql",
        """
        CREATE SCHEMA audit;
        CREATE TABLE orgs (id uuid PRIMARY KEY);
        CREATE TABLE notes (id uuid PRIMARY KEY, org uuid REFERENCES orgs);
        CREATE TABLE audit.notes (id uuid PRIMARY KEY, org uuid REFERENCES public.orgs);
        CREATE INDEX ON audit.notes (org);
        """,
    )

    findings = project.findings()

    assert [(f.line, f.rule) for f in findings] == [(4, "fk-index")]
    assert "public.notes (org)" in findings[0].message


# ---------------------------------------------------------------------------
# policy-index


def test_policy_filter_column_without_index_is_reported(project: Project) -> None:
    project.migration(
        "001_notes.sql",
        ORGANIZATIONS
        + NOTES
        + RLS
        + """
        ALTER TABLE notes ADD COLUMN author_id uuid;
        CREATE POLICY "authors read their notes" ON notes
            USING (organization_id = (SELECT current_setting('app.org_id')::uuid) AND author_id = current_setting('app.user_id')::uuid);
        """,
    )

    findings = project.findings()

    assert [(f.line, f.rule) for f in findings] == [(13, "policy-index")]
    assert 'policy "authors read their notes" on public.notes filters on author_id' in findings[0].message


def test_policy_filter_columns_served_by_a_composite_index_are_clean(project: Project) -> None:
    project.migration(
        "001_notes.sql",
        ORGANIZATIONS
        + NOTES
        + RLS
        + """
        ALTER TABLE notes ADD COLUMN author_id uuid;
        CREATE INDEX ON notes (organization_id, author_id);
        CREATE POLICY "authors read their notes" ON notes
            USING (organization_id = (SELECT current_setting('app.org_id')::uuid) AND author_id = current_setting('app.user_id')::uuid);
        """,
    )

    assert project.found() == []


def test_policy_comparisons_with_literals_sub_queries_and_with_check_need_no_index(project: Project) -> None:
    project.migration(
        "001_notes.sql",
        ORGANIZATIONS
        + NOTES
        + RLS
        + """
        ALTER TABLE notes ADD COLUMN visibility text, ADD COLUMN author_id uuid;
        CREATE POLICY "everyone reads public notes" ON notes FOR SELECT USING (visibility = 'public'::text);
        CREATE POLICY "shared notes" ON notes FOR SELECT
            USING (id IN (SELECT n.id FROM notes n WHERE n.author_id = current_setting('app.user_id')::uuid));
        CREATE POLICY "authors write notes" ON notes FOR INSERT
            WITH CHECK (author_id = current_setting('app.user_id')::uuid);
        """,
    )

    assert project.found() == []


# ---------------------------------------------------------------------------
# security-definer-search-path


def test_security_definer_without_search_path_is_reported(project: Project) -> None:
    project.function_file(
        "010_f.sql",
        """
        -- fn.touch(): contract comment.
        CREATE OR REPLACE FUNCTION fn.touch(p_id uuid, p_at timestamptz DEFAULT now())
        RETURNS void LANGUAGE sql SECURITY DEFINER
        AS $$ SELECT 1 $$;
        """,
    )

    findings = project.findings()

    assert [(f.path.name, f.line, f.rule) for f in findings] == [("010_f.sql", 2, "security-definer-search-path")]
    assert findings[0].message.startswith(
        "fn.touch(uuid, timestamptz) is SECURITY DEFINER without SET search_path = ''"
    )


def test_security_definer_with_empty_search_path_is_clean(project: Project) -> None:
    project.function_file(
        "010_f.sql",
        """
        CREATE FUNCTION fn.touch() RETURNS void LANGUAGE sql SECURITY DEFINER SET search_path TO '' AS $$ SELECT 1 $$;
        CREATE FUNCTION fn.plain() RETURNS void LANGUAGE sql AS $$ SELECT 1 $$;
        """,
    )

    assert project.found() == []


def test_security_definer_with_a_non_empty_search_path_is_reported(project: Project) -> None:
    project.migration(
        "001_f.sql",
        "CREATE FUNCTION app.f() RETURNS int LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS 'SELECT 1';",
        down="DROP FUNCTION app.f();",
    )

    findings = project.findings()

    assert [(f.line, f.rule) for f in findings] == [(2, "security-definer-search-path")]
    assert "with search_path 'public, pg_temp' instead of ''" in findings[0].message


def test_later_alter_function_set_search_path_fixes_security_definer(project: Project) -> None:
    project.migration(
        "001_f.sql", "CREATE FUNCTION app.f(int) RETURNS int LANGUAGE sql SECURITY DEFINER AS 'SELECT 1';"
    )
    project.migration("002_pin.sql", "ALTER FUNCTION app.f(integer) SET search_path = '';")

    assert project.found() == []


def test_later_alter_function_security_definer_is_reported_there(project: Project) -> None:
    project.migration("001_f.sql", "CREATE FUNCTION app.f() RETURNS int LANGUAGE sql AS 'SELECT 1';")
    project.migration("002_definer.sql", "ALTER FUNCTION app.f SECURITY DEFINER;")

    assert project.found() == [("002_definer.sql", 2, "security-definer-search-path")]


# ---------------------------------------------------------------------------
# down-section


def test_migration_without_down_marker_is_reported(project: Project) -> None:
    project.raw_migration("001_t.sql", "-- migrate:up\nCREATE TABLE t (id int PRIMARY KEY);\n")

    findings = project.findings()

    assert [(f.line, f.rule) for f in findings] == [(1, "down-section")]
    assert "no `-- migrate:down` section" in findings[0].message


def test_down_section_with_only_comments_is_reported_at_its_marker(project: Project) -> None:
    project.raw_migration(
        "001_t.sql",
        """
        -- migrate:up
        CREATE TABLE t (id int PRIMARY KEY);

        -- migrate:down
        -- DROP TABLE t;  (commented out: not a rollback)
        /* nothing */
        """,
    )

    findings = project.findings()

    assert [(f.line, f.rule) for f in findings] == [(4, "down-section")]
    assert findings[0].message.startswith("the down section has no SQL statement")


def test_empty_up_section_is_reported(project: Project) -> None:
    project.raw_migration("001_t.sql", "-- migrate:up\n-- todo\n\n-- migrate:down\nSELECT 1;\n")

    findings = project.findings()

    assert [(f.line, f.rule) for f in findings] == [(1, "down-section")]
    assert findings[0].message == "the up section has no SQL statement"


def test_missing_up_marker_and_sql_before_the_markers_are_reported(project: Project) -> None:
    project.raw_migration(
        "001_t.sql", "-- a comment is fine here\nCREATE TABLE t (id int);\n-- migrate:down\nDROP TABLE t;\n"
    )

    assert project.found() == [("001_t.sql", 1, "down-section"), ("001_t.sql", 2, "down-section")]


def test_migration_with_both_sections_and_marker_options_is_clean(project: Project) -> None:
    project.raw_migration(
        "001_t.sql",
        """
        -- migrate:up transaction:false
        CREATE TABLE t (id int PRIMARY KEY);
        -- migrate:down transaction:false
        DROP TABLE t;
        """,
    )

    assert project.found() == []


# ---------------------------------------------------------------------------
# parse-error


def test_unparseable_section_is_reported_not_raised(project: Project) -> None:
    project.migration("001_t.sql", "CREATE TABLE t (id int PRIMARY KEY);\nCREATE TABEL u (id int);")

    findings = project.findings()

    assert [(f.line, f.rule) for f in findings] == [(3, "parse-error")]
    assert findings[0].message == 'the up section: syntax error at or near "TABEL"'


def test_unparseable_down_section_and_functions_file_are_reported(project: Project) -> None:
    project.migration("001_t.sql", "CREATE TABLE t (id int PRIMARY KEY);", down="DROP TABLE t;;\nDROP TABLE WHERE;")
    project.function_file("010_f.sql", "-- contract\nCREATE FUNCTION fn.f( RETURNS int;\n")

    assert project.found() == [("010_f.sql", 2, "parse-error"), ("001_t.sql", 6, "parse-error")]


def test_unparseable_down_section_is_not_also_reported_empty(project: Project) -> None:
    project.migration("001_t.sql", "CREATE TABLE t (id int PRIMARY KEY);", down="DROP TABLE WHERE;")

    assert [f.rule for f in project.findings()] == ["parse-error"]


def test_do_blocks_and_function_bodies_are_not_analysed(project: Project) -> None:
    project.migration(
        "001_t.sql",
        """
        DO $$ BEGIN CREATE TABLE hidden (organization_id uuid REFERENCES nowhere); END $$;
        CREATE FUNCTION app.f() RETURNS void LANGUAGE plpgsql AS $$
        BEGIN CREATE TABLE hidden2 (organization_id uuid); END $$;
        """,
    )

    assert project.found() == []


# ---------------------------------------------------------------------------
# suppression


def test_suppression_comment_above_the_statement_silences_that_rule(project: Project) -> None:
    project.migration(
        "001_notes.sql",
        ORGANIZATIONS
        + """
        -- Lookup table written once, never deleted from.
        -- sqllint: ignore fk-index, rls-forced -- reviewed
        CREATE TABLE notes (
            organization_id uuid REFERENCES organizations
        );
        """,
    )

    result = sqllint.lint(project.migrations, project.functions)

    assert result.findings == []
    assert sorted(f.rule for f in result.suppressed) == ["fk-index", "rls-forced"]


def test_suppression_comment_on_the_offending_line_silences_that_rule(project: Project) -> None:
    project.migration(
        "001_notes.sql",
        ORGANIZATIONS
        + """
        CREATE TABLE notes (
            id uuid PRIMARY KEY,
            org uuid REFERENCES organizations,  -- sqllint: ignore fk-index
            author uuid REFERENCES organizations
        );
        """,
    )

    assert project.found() == [("001_notes.sql", 6, "fk-index")]


def test_suppression_naming_another_rule_does_not_silence(project: Project) -> None:
    project.migration(
        "001_notes.sql",
        ORGANIZATIONS + "\n-- sqllint: ignore rls-forced\nCREATE TABLE notes (org uuid REFERENCES organizations);",
    )

    assert project.found() == [("001_notes.sql", 4, "fk-index")]


def test_suppression_separated_by_a_blank_line_does_not_apply(project: Project) -> None:
    project.migration(
        "001_notes.sql",
        ORGANIZATIONS + "\n-- sqllint: ignore fk-index\n\nCREATE TABLE notes (org uuid REFERENCES organizations);",
    )

    assert project.found() == [("001_notes.sql", 5, "fk-index")]


# ---------------------------------------------------------------------------
# Command line


def test_main_prints_findings_relative_to_cwd_and_exits_1(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    project.migration("001_notes.sql", ORGANIZATIONS + NOTES, down="DROP TABLE notes;")
    project.raw_migration("002_t.sql", "-- migrate:up\nCREATE TABLE t (id int);\n")
    monkeypatch.chdir(tmp_path)

    status = sqllint.main(["--migrations", "db/schema", "--functions", str(project.functions)])

    assert status == 1
    assert capsys.readouterr().out.splitlines() == [
        "db/schema/001_notes.sql:3: rls-forced public.notes has an organization_id column but lacks"
        " ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY, a policy",
        "db/schema/002_t.sql:1: down-section no `-- migrate:down` section: every migration needs a working rollback",
        "sqllint: 2 finding(s) in 2 file(s)",
    ]


def test_main_exits_0_and_says_so_when_clean(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    project.migration("001_notes.sql", ORGANIZATIONS + NOTES + RLS + POLICY)

    assert sqllint.main(["--migrations", str(project.migrations), "--functions", str(project.functions)]) == 0
    assert capsys.readouterr().out == "sqllint: 1 file(s) clean\n"


def test_main_rejects_a_missing_directory(project: Project, tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exit_info:
        sqllint.main(["--migrations", str(tmp_path / "nope"), "--functions", str(project.functions)])

    assert exit_info.value.code == 2


def test_help_lists_every_rule_and_the_suppression_syntax(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        sqllint.main(["--help"])

    out = capsys.readouterr().out
    assert exit_info.value.code == 0
    assert all(rule_id in out for rule_id in sqllint.RULES)
    assert "-- sqllint: ignore <rule-id>" in out


def test_project_schema_and_functions_lint_clean(capsys: pytest.CaptureFixture[str]) -> None:
    status = sqllint.main([])

    assert status == 0, capsys.readouterr().out
