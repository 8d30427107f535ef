"""The routes of agents: their declaration; inputs and responses come from the handlers' signatures."""

from __future__ import annotations

from ..pipeline.route import Auth, Route
from . import handlers

ROUTES: list[Route] = [
    Route(
        method="GET",
        path="/v1/agents",
        handler=handlers.list_agents,
        auth=Auth.MEMBER,
        summary="List the agents the organization may use",
        tag="agents",
        description="The organization's own agents, public agents and those granted to it, newest first. "
        "Hidden agents (and agents whose grant is disabled or hidden) are left out; get them by id.",
    ),
    Route(
        method="POST",
        path="/v1/agents",
        handler=handlers.create_agent,
        auth=Auth.ADMIN,
        summary="Create an agent (admins)",
        tag="agents",
        status=201,
        idempotent=True,
    ),
    Route(
        method="GET",
        path="/v1/agents/{id}",
        handler=handlers.get_agent,
        auth=Auth.MEMBER,
        summary="Get an agent",
        tag="agents",
        description="Hidden agents too, where the organization has access. Agents it cannot use are 404.",
    ),
    Route(
        method="PATCH",
        path="/v1/agents/{id}",
        handler=handlers.update_agent,
        auth=Auth.ADMIN,
        summary="Change an agent (admins)",
        tag="agents",
        errors=("forbidden",),
        description="Omitted fields stay as they are. Agents of other organizations: 403 when the caller can "
        "use them (public or granted), 404 otherwise.",
    ),
    Route(
        method="DELETE",
        path="/v1/agents/{id}",
        handler=handlers.delete_agent,
        auth=Auth.ADMIN,
        summary="Delete an agent (admins)",
        tag="agents",
        errors=("forbidden",),
        description="For good, with everything that exists only for it: its knowledge sources, quick tasks, grants, "
        "states and their checkpoints, tasks, memories and embeddings. Conversations, messages and artifacts stay, "
        "without agent.",
    ),
    Route(
        method="GET",
        path="/v1/agents/{id}/knowledge-sources",
        handler=handlers.list_knowledge_sources,
        auth=Auth.MEMBER,
        summary="List an agent's knowledge sources",
        tag="agents",
        description="By name. Only the owning organization sees them (empty for other organizations' agents).",
    ),
    Route(
        method="POST",
        path="/v1/agents/{id}/knowledge-sources",
        handler=handlers.add_knowledge_source,
        auth=Auth.ADMIN,
        summary="Add a knowledge source to an agent (admins)",
        tag="agents",
        status=201,
        idempotent=True,
        errors=("forbidden", "conflict"),
        description="One per source_path: a second one with the same path is 409.",
    ),
    Route(
        method="GET",
        path="/v1/agents/{id}/quick-tasks",
        handler=handlers.list_quick_tasks,
        auth=Auth.MEMBER,
        summary="List an agent's quick tasks",
        tag="agents",
        description="In display order (order_index).",
    ),
    Route(
        method="POST",
        path="/v1/agents/{id}/quick-tasks",
        handler=handlers.add_quick_task,
        auth=Auth.ADMIN,
        summary="Add a quick task to an agent (admins)",
        tag="agents",
        status=201,
        idempotent=True,
        errors=("forbidden",),
    ),
    Route(
        method="GET",
        path="/v1/agents/{id}/access",
        handler=handlers.list_agent_access,
        auth=Auth.ADMIN,
        summary="List an agent's organization grants (admins)",
        tag="agents",
        description="Admins of the agent's organization see every grant; others only the grant to their own.",
    ),
    Route(
        method="POST",
        path="/v1/agents/{id}/access",
        handler=handlers.grant_agent_access,
        auth=Auth.ADMIN,
        summary="Grant an organization access to an agent (admins)",
        tag="agents",
        status=201,
        idempotent=True,
        errors=("forbidden", "conflict"),
        description="Creates the grant, or replaces the settings of an existing one. Only for agents of the "
        "caller's organization (403 for others it can use).",
    ),
    Route(
        method="DELETE",
        path="/v1/agents/{id}/access/{organization_id}",
        handler=handlers.revoke_agent_access,
        auth=Auth.ADMIN,
        summary="Revoke an organization's access to an agent (admins)",
        tag="agents",
        description="By admins of the agent's organization, or of the grantee (leaving it). No such grant: 404.",
    ),
]
