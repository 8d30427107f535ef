"""Names: table classes (singular PascalCase), functions, constants, fields, enum members."""

from __future__ import annotations

import pytest

from codegen import naming


@pytest.mark.parametrize(
    ("table", "model"),
    [
        ("organizations", "Organization"),
        ("organization_memberships", "OrganizationMembership"),
        ("memories", "Memory"),
        ("api_keys", "ApiKey"),
        ("webhook_events", "WebhookEvent"),
        ("tasks", "Task"),
        ("statuses", "Status"),
        ("users", "User"),
        ("agents", "Agent"),
        ("agent_knowledge_sources", "AgentKnowledgeSource"),
        ("agent_quick_tasks", "AgentQuickTask"),
        ("conversation_shares", "ConversationShare"),
        ("messages", "Message"),
        ("message_files", "MessageFile"),
        ("conversation_chunks", "ConversationChunk"),
        ("context_snapshots", "ContextSnapshot"),
        ("agent_states", "AgentState"),
        ("state_checkpoints", "StateCheckpoint"),
        ("memory_links", "MemoryLink"),
        ("artifacts", "Artifact"),
        ("embeddings", "Embedding"),
        ("retention_runs", "RetentionRun"),
        ("policies", "Policy"),
        ("addresses", "Address"),
        ("batches", "Batch"),
        ("boxes", "Box"),
        ("aliases", "Alias"),
        ("analyses", "Analysis"),
        ("people", "Person"),
        ("children", "Child"),
        ("indices", "Index"),
        ("caches", "Cache"),
        ("causes", "Cause"),
        ("houses", "House"),
        ("bonuses", "Bonus"),
        ("keys", "Key"),
        ("movies", "Movie"),
        ("data", "Data"),
        ("metadata", "Metadata"),
        ("news", "News"),
        ("series", "Series"),
        ("status", "Status"),
        ("address", "Address"),
        ("analysis", "Analysis"),
        ("user", "User"),
        ("settings", "Setting"),
        ("leaves", "Leaf"),
        ("archives", "Archive"),
        ("quizzes", "Quiz"),
        ("schemas", "Schema"),
        ("apis", "Api"),
    ],
)
def test_table_models_are_singular_pascal_case(table: str, model: str) -> None:
    assert naming.singular_pascal(table) == model


@pytest.mark.parametrize(
    ("name", "snake", "pascal"),
    [
        ("GetAgent", "get_agent", "GetAgent"),
        ("GetOrganizationByClerkId", "get_organization_by_clerk_id", "GetOrganizationByClerkId"),
        ("GetAPIKey", "get_api_key", "GetAPIKey"),
        ("ListV2Agents", "list_v2_agents", "ListV2Agents"),
        ("membership_role", "membership_role", "MembershipRole"),
        ("task-status", "task_status", "TaskStatus"),
    ],
)
def test_query_and_type_names(name: str, snake: str, pascal: str) -> None:
    assert naming.snake(name) == snake
    assert naming.upper_snake(name) == snake.upper()
    assert naming.pascal(name) == pascal


def test_class_names_never_start_with_a_digit() -> None:
    assert naming.pascal("2fa_codes") == "T2faCodes"


@pytest.mark.parametrize(
    ("column", "field"),
    [
        ("id", "id"),
        ("from", "from_"),
        ("class", "class_"),
        ("user-id", "user_id"),
        ("?column?", "column_3"),
        ("_private", "private"),
        ("1st", "column_3_1st"),
        ("createdAt", "createdAt"),
    ],
)
def test_fields_are_valid_identifiers(column: str, field: str) -> None:
    assert naming.identifier(column, fallback="column_3") == field


@pytest.mark.parametrize(
    ("value", "member"),
    [("admin", "ADMIN"), ("action_item", "ACTION_ITEM"), ("needs-review", "NEEDS_REVIEW"), ("org:admin", "ORG_ADMIN"), ("1st", "VALUE_1ST"), ("", "EMPTY")],
)
def test_enum_members_are_upper_snake_case(value: str, member: str) -> None:
    assert naming.enum_member(value) == member


def test_unique_suffixes_repeated_names() -> None:
    taken: set[str] = set()
    assert [naming.unique(n, taken) for n in ("id", "id", "name", "id")] == ["id", "id_2", "name", "id_3"]
