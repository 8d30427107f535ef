"""A local OpenAI-compatible embeddings server for the tests: the real `openai` client talks to it over HTTP.

    async with EmbeddingsServer() as server:       # server.base_url -> http://127.0.0.1:<port>/v1
        server.fail_next(429, retry_after="1")     # the next request answers 429 with Retry-After: 1
        ...
        server.texts                               # every text it embedded, in order

POST /v1/embeddings answers like OpenAI's: {"object": "list", "data": [{"object":
"embedding", "index": i, "embedding": [...]}], "model": ..., "usage": {...}},
float or base64 (little-endian float32) as encoding_format asks. Vectors are
deterministic: the same text and dimensions always give the same unit vector,
seeded from the text's SHA-256. `dimensions` is honoured; without it a model's
default (1536) is used, or DEFAULT_DIMS[model]. Failures on demand: fail_next(status,
retry_after=None) queues answers (429 rate limits, 500s, 400s) returned before any
vector; a request without the expected bearer key is 401.
"""

from __future__ import annotations

import base64
import hashlib
import math
import random
import struct
from types import TracebackType
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

API_KEY = "sk-test-standin"
DEFAULT_DIMS = {"text-embedding-3-small": 1536, "text-embedding-3-large": 3072, "tiny-embed": 8}


def vector(text: str, dims: int) -> list[float]:
    """The unit vector the stand-in returns for text."""
    rng = random.Random(hashlib.sha256(text.encode()).digest())
    values = [rng.gauss(0.0, 1.0) for _ in range(dims)]
    norm = math.sqrt(sum(v * v for v in values)) or 1.0
    return [v / norm for v in values]


class EmbeddingsServer:
    def __init__(self) -> None:
        self.texts: list[str] = []
        self.requests: list[dict[str, Any]] = []
        self._failures: list[tuple[int, str | None]] = []
        app = web.Application()
        app.router.add_post("/v1/embeddings", self._embeddings)
        self._server = TestServer(app, host="127.0.0.1")

    @property
    def base_url(self) -> str:
        return str(self._server.make_url("/v1"))

    def fail_next(self, status: int, *, retry_after: str | None = None, times: int = 1) -> None:
        self._failures.extend([(status, retry_after)] * times)

    async def __aenter__(self) -> EmbeddingsServer:
        await self._server.start_server()
        return self

    async def __aexit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        await self._server.close()

    async def _embeddings(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bearer {API_KEY}":
            return _error(401, "invalid_api_key", "Incorrect API key provided")
        body = await request.json()
        self.requests.append(body)
        if self._failures:
            status, retry_after = self._failures.pop(0)
            headers = {"Retry-After": retry_after} if retry_after is not None else {}
            return _error(status, "rate_limit_exceeded" if status == 429 else "server_error", "on demand", headers)
        inputs = body.get("input")
        texts = [inputs] if isinstance(inputs, str) else list(inputs or [])
        if not texts or not all(isinstance(t, str) and t for t in texts):
            return _error(400, "invalid_request_error", "input must be a non-empty string or array of strings")
        model = body.get("model", "")
        dims = body.get("dimensions") or DEFAULT_DIMS.get(model, 1536)
        self.texts.extend(texts)
        data = []
        for index, text in enumerate(texts):
            values = vector(text, dims)
            embedding: Any = values
            if body.get("encoding_format") == "base64":
                embedding = base64.b64encode(struct.pack(f"<{dims}f", *values)).decode()
            data.append({"object": "embedding", "index": index, "embedding": embedding})
        tokens = sum(len(t.split()) for t in texts)
        return web.json_response(
            {"object": "list", "data": data, "model": model, "usage": {"prompt_tokens": tokens, "total_tokens": tokens}}
        )


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response(
        {"error": {"message": message, "type": code, "param": None, "code": code}}, status=status, headers=headers
    )
