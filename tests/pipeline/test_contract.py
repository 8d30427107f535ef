"""Contract tests: schemathesis drives the live server from its own /openapi.json.

The server runs on a loopback port in a thread of its own (its own event loop
and database), because schemathesis's Python API is synchronous (requests).
Every default check runs, including the auth checks (ignored_auth probes each
operation without credentials and with made-up ones).
"""

from __future__ import annotations

import asyncio
import base64
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import schemathesis
from aiohttp import web
from hypothesis import HealthCheck, settings
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import positive_data_acceptance
from support import ISSUER, PARTY, SigningKey, make_token

from server.app import create_app
from server.config import Config
from server.pipeline.openapi import build_openapi
from server.routes import ROUTES
from tools import db


@dataclass
class LiveServer:
    url: str = ""
    error: BaseException | None = None
    ready: threading.Event = field(default_factory=threading.Event)
    stop: asyncio.Event | None = None
    loop: asyncio.AbstractEventLoop | None = None


@pytest.fixture(scope="module")
def live_server(pg_admin_uri: str, migrated_template: str, signing_key: SigningKey) -> Iterator[LiveServer]:
    """The app on 127.0.0.1:<free port> with a database of its own, served from a background thread."""
    server = LiveServer()
    name = f"t_{uuid.uuid4().hex[:12]}"

    async def serve() -> None:
        server.stop = asyncio.Event()
        await db.create_database(pg_admin_uri, name, template=migrated_template)
        try:
            config = Config(
                database_url=db.with_database(pg_admin_uri, name),
                clerk_jwt_key=signing_key.public_pem,
                clerk_issuer=ISSUER,
                clerk_authorized_parties=(PARTY,),
                # Unsigned probes of /webhooks/clerk are then a documented 400, not 503 webhooks_not_configured.
                clerk_webhook_secret="whsec_" + base64.b64encode(b"contract-test-webhook-secret-32b").decode(),
            )
            runner = web.AppRunner(create_app(config))
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            host, port = runner.addresses[0][:2]
            server.url = f"http://{host}:{port}"
            server.ready.set()
            await server.stop.wait()
            await runner.cleanup()
        finally:
            await db.drop_database(pg_admin_uri, name)

    def run() -> None:
        server.loop = asyncio.new_event_loop()
        try:
            server.loop.run_until_complete(serve())
        except BaseException as exc:  # reported to the test thread
            server.error = exc
            server.ready.set()
        finally:
            server.loop.close()

    thread = threading.Thread(target=run, name="live-server", daemon=True)
    thread.start()
    assert server.ready.wait(30), "the server did not start"
    if server.error:
        raise server.error
    yield server
    assert server.loop is not None and server.stop is not None
    server.loop.call_soon_threadsafe(server.stop.set)
    thread.join(30)


@pytest.fixture(scope="module")
def admin_headers(signing_key: SigningKey) -> dict[str, str]:
    """An admin of org_contract (provisioned by the first request), valid for the whole run."""
    token = make_token(signing_key, "user_contract", "org_contract", "admin", exp=2**31 - 1)
    return {"Authorization": f"Bearer {token}"}


# The document the server serves, built from the same route table (checked below).
schema = schemathesis.openapi.from_dict(build_openapi(ROUTES))


def test_the_served_document_is_the_route_tables_and_loads_in_schemathesis(live_server: LiveServer) -> None:
    served = schemathesis.openapi.from_url(f"{live_server.url}/openapi.json")
    assert served.raw_schema == schema.raw_schema
    labels = {op.ok().label for op in served.get_all_operations()}
    # from_url leaves out the operation that serves the document itself.
    assert labels | {"GET /openapi.json"} == {op.ok().label for op in schema.get_all_operations()}


@schema.parametrize()
# derandomize: CI sees the same examples on every run, so a failure reproduces.
@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_the_api_honours_its_openapi_document(case: Any, live_server: LiveServer, admin_headers: dict[str, str]) -> None:
    # A case made invalid in its headers (say, Authorization left out) must be sent as made:
    # adding the admin's token would turn it back into a valid request.
    headers = {} if case.meta.is_negative_at(ParameterLocation.HEADER) else admin_headers
    if "Idempotency-Key" in (case.headers or {}) and not case.meta.is_negative_at(ParameterLocation.HEADER):
        # One key per request, as clients use them: a key reused for another body is a documented 409.
        case.headers["Idempotency-Key"] = str(uuid.uuid4())
    # A batch carries other operations; a schema-valid envelope can hold an operation its
    # own route rejects, and the batch answers with that operation's documented problem.
    excluded = [positive_data_acceptance] if case.operation.label in ENVELOPES else []
    case.call_and_validate(base_url=live_server.url, headers=headers, excluded_checks=excluded)


ENVELOPES = {"POST /v1/batch"}
