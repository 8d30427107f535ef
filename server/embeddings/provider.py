"""Vectors for text from an OpenAI-compatible embeddings endpoint, through the `openai` client.

    provider = EmbeddingProvider.from_config(config)    # None when no provider is configured
    vectors = await provider.embed("text-embedding-3-small", 1536, ["first chunk", "second chunk"])

OPENAI_BASE_URL points it at any OpenAI-compatible server (OpenAI, Azure's
compatible endpoint, a local server); OPENAI_API_KEY is sent as the bearer
key. The client's own retries are off: the caller decides (the embedding
worker backs off, honouring Retry-After). Failures are one of:

    RateLimited(retry_after)   429: try the same texts again after retry_after seconds
    Unavailable                5xx, timeouts, connection errors: retry later with backoff
    Rejected                   any other 4xx (bad input, unknown model, bad key): retrying will not help

For text-embedding-3 models the requested dimensions are sent (they can be
shortened); a vector of another length than asked is Rejected, so a model
that cannot produce an agent's embedding_dims never stores a wrong vector.
"""

from __future__ import annotations

from collections.abc import Sequence

import openai
from openai import AsyncOpenAI

from ..config import Config

DEFAULT_RETRY_AFTER = 5.0
MAX_RETRY_AFTER = 300.0


class ProviderError(Exception):
    """The provider did not return vectors."""


class RateLimited(ProviderError):
    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Unavailable(ProviderError):
    """A server error, a timeout or no connection: worth retrying later."""


class Rejected(ProviderError):
    """The request itself was refused: retrying the same request will not help."""


class EmbeddingProvider:
    def __init__(self, client: AsyncOpenAI) -> None:
        self.client = client

    @classmethod
    def from_config(cls, config: Config, *, timeout: float = 60.0) -> EmbeddingProvider | None:
        if not config.embeddings_configured:
            return None
        client = AsyncOpenAI(
            api_key=config.openai_api_key or "none",
            base_url=config.openai_base_url,
            max_retries=0,
            timeout=timeout,
        )
        return cls(client)

    async def embed(self, model: str, dims: int, texts: Sequence[str]) -> list[list[float]]:
        """One vector of `dims` floats per text, in order."""
        try:
            if model.startswith("text-embedding-3"):
                response = await self.client.embeddings.create(
                    model=model, input=list(texts), dimensions=dims, encoding_format="float"
                )
            else:
                response = await self.client.embeddings.create(model=model, input=list(texts), encoding_format="float")
        except openai.RateLimitError as exc:
            raise RateLimited(_message(exc), _retry_after(exc.response.headers.get("retry-after"))) from exc
        except openai.APIStatusError as exc:
            if exc.status_code >= 500 or exc.status_code in (408, 409):
                raise Unavailable(_message(exc)) from exc
            raise Rejected(_message(exc)) from exc
        except (openai.APIConnectionError, openai.APITimeoutError) as exc:
            raise Unavailable(f"{type(exc).__name__}: {exc}") from exc
        data = sorted(response.data, key=lambda item: item.index)
        if len(data) != len(texts):
            raise Unavailable(f"asked for {len(texts)} vectors, got {len(data)}")
        vectors = [list(item.embedding) for item in data]
        for vector in vectors:
            if len(vector) != dims:
                raise Rejected(f"{model} returned {len(vector)} dimensions, {dims} were asked for")
        return vectors

    async def close(self) -> None:
        await self.client.close()


def _message(exc: openai.APIStatusError) -> str:
    return f"{exc.status_code}: {exc.message}"[:1000]


def _retry_after(header: str | None) -> float:
    """Retry-After in seconds (delta-seconds form; an HTTP date or garbage gives the default), capped."""
    try:
        seconds = float(header) if header is not None else DEFAULT_RETRY_AFTER
    except ValueError:
        seconds = DEFAULT_RETRY_AFTER
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)
