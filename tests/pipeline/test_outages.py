"""Database outages are 503 with Retry-After at every step, logged once per outage; a client hanging up is not one.

The app reaches the real PostgreSQL through a Unix-socket proxy the test can
cut: every connection through it drops at once and new ones are refused,
as when PostgreSQL is killed, until the test restores it.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import re
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest
from aiohttp import web
from support import Client, ClientFactory, TokenFactory, bearer, problem

from server.app import create_app
from server.config import Config
from server.pipeline.problems import OUTAGE

SOCKET = ".s.PGSQL.5432"


class CuttableLink:
    """A Unix-socket proxy in front of PostgreSQL: cut() drops every connection and refuses new ones."""

    def __init__(self, upstream: Path) -> None:
        self.upstream = upstream
        self.directory = Path(tempfile.mkdtemp(prefix="ajc-link-"))
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_unix_server(self._serve, path=str(self.directory / SOCKET))

    async def cut(self) -> None:
        assert self._server is not None
        self._server.close()
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()
        await self._server.wait_closed()
        (self.directory / SOCKET).unlink(missing_ok=True)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_unix_connection(str(self.upstream / SOCKET))
        self._writers |= {writer, up_writer}

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            with contextlib.suppress(OSError):
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            sink.transport.abort()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))


@pytest.fixture
async def link(database_url: str) -> AsyncIterator[CuttableLink]:
    """A cuttable link to the test's PostgreSQL."""
    host = parse_qs(urlsplit(database_url).query)["host"][0]
    proxy = CuttableLink(Path(host))
    await proxy.start()
    yield proxy
    with contextlib.suppress(Exception):
        await proxy.cut()


@pytest.fixture
async def linked(config: Config, link: CuttableLink, aiohttp_client: ClientFactory) -> Client:
    """The app, its database reached through the link."""
    url = config.database_url
    assert url is not None
    through_link = re.sub(r"host=[^&]+", f"host={link.directory}", url)
    return await aiohttp_client(create_app(dataclasses.replace(config, database_url=through_link)))


def outage_lines(caplog: pytest.LogCaptureFixture, text: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if text in r.getMessage()]


async def metric(client: Client, name: str) -> str:
    text = await (await client.get("/metrics")).text()
    found = re.search(rf"^{re.escape(name)} (\S+)$", text, re.M)
    assert found, name
    return found[1]


async def test_an_outage_is_503_with_retry_after_and_logged_once_with_its_count(
    linked: Client, link: CuttableLink, token: TokenFactory, caplog: pytest.LogCaptureFixture
) -> None:
    tok = token("user_alice", "org_a", "admin")
    assert (await linked.get("/v1/me", headers=bearer(tok))).status == 200
    await link.cut()
    caplog.set_level(logging.INFO, logger="server")
    for path in ["/v1/me", "/v1/agents", "/v1/conversations", "/v1/memories", "/readyz"] * 4:
        resp = await linked.get(path, headers=bearer(tok))
        await problem(resp, 503, "service_unavailable")
        assert resp.headers["Retry-After"] == "2"
    assert len(outage_lines(caplog, "database unavailable")) == 1
    assert await metric(linked, "db_unavailable") == "1"
    await link.start()
    assert (await linked.get("/v1/me", headers=bearer(tok))).status == 200
    (back,) = outage_lines(caplog, "database available again")
    assert "20 requests were answered 503" in back.getMessage()
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == outage_lines(caplog, "database unavailable")
    assert (await metric(linked, "db_unavailable"), await metric(linked, "db_outages_total")) == ("0", "1")


async def test_a_connection_lost_at_any_step_of_a_request_is_503_never_500(
    linked: Client, link: CuttableLink, token: TokenFactory
) -> None:
    tok = token("user_alice", "org_a", "admin")
    agent = await linked.post("/v1/agents", json={"name": "Helpdesk"}, headers=bearer(tok))
    assert agent.status == 201
    for _ in range(3):  # pooled connections die between requests: authentication, then the tenant transaction
        await link.cut()
        await link.start()
        resp = await linked.post("/v1/memories", json={"kind": "fact", "content": {}}, headers=bearer(tok))
        assert resp.status in (201, 503), await resp.text()
    statuses = set()
    for _ in range(10):
        task = asyncio.ensure_future(linked.get("/v1/agents", headers=bearer(tok)))
        await asyncio.sleep(0.002)
        await link.cut()
        statuses.add((await task).status)
        await link.start()
    assert statuses <= {200, 503}
    assert (await linked.get("/v1/agents", headers=bearer(tok))).status == 200


@pytest.fixture
async def served(config: Config) -> AsyncIterator[tuple[web.Application, str]]:
    """The app served as `python -m server` serves it (web.run_app's runner: handlers are not cancelled when
    their client hangs up), on a free loopback port; (app, base URL)."""
    app = create_app(config)
    runner = web.AppRunner(app, handler_cancellation=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    yield app, f"http://{host}:{port}"
    await runner.cleanup()


async def test_a_client_hanging_up_mid_request_is_not_a_database_outage(
    served: tuple[web.Application, str], token: TokenFactory, caplog: pytest.LogCaptureFixture
) -> None:
    app, base = served
    tok = token("user_alice", "org_a", "admin")
    caplog.set_level(logging.DEBUG, logger="server")
    async with aiohttp.ClientSession(base) as http:
        assert (await http.get("/v1/me", headers=bearer(tok))).status == 200
        url = urlsplit(base)
        _, writer = await asyncio.open_connection(url.hostname, url.port)
        writer.write(
            b"POST /v1/memories HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
            b"Authorization: Bearer " + tok.encode() + b"\r\nContent-Length: 1000\r\n\r\n{\"kind\": "
        )
        await writer.drain()
        await asyncio.sleep(0.2)  # authenticated, now reading the body
        writer.transport.abort()
        hung_up = 'http_requests_total{method="POST",route="/v1/memories",status="499"} 1'
        for _ in range(50):
            if hung_up in await (await http.get("/metrics")).text():
                break
            await asyncio.sleep(0.05)
        assert hung_up in await (await http.get("/metrics")).text()
        assert (await http.get("/v1/me", headers=bearer(tok))).status == 200
    assert app[OUTAGE].refused_total == 0
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert any("closed the connection" in r.getMessage() for r in caplog.records)
