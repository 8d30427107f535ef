"""Request and response models of POST /v1/batch."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from ..types import Json, PatternKeys, Strict

HeaderName = Annotated[str, Field(pattern=r"^[A-Za-z0-9-]{1,64}$")]
HeaderValue = Annotated[str, Field(max_length=1024, pattern=r"^[\t\x20-\x7e]*$")]


class BatchOperation(Strict):
    """One operation, as it would be sent alone."""

    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE"]
    path: str = Field(
        max_length=2048,
        pattern=r"^/v1/[^\x00-\x20#]*$",
        description="The path with its query string, e.g. /v1/memories?kind=decision.",
        examples=["/v1/conversations"],
    )
    body: Json = Field(None, description="The JSON body, for operations that take one.")
    headers: Annotated[dict[HeaderName, HeaderValue], PatternKeys()] | None = Field(
        None, max_length=10, description='Headers the operation reads, e.g. {"If-Match": "3"}.'
    )


class BatchRequest(Strict):
    """Operations to run in order, in one transaction: all of them take effect, or none."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "operations": [
                        {"method": "POST", "path": "/v1/conversations", "body": {"title": "Planning"}},
                        {"method": "GET", "path": "/v1/conversations?limit=5"},
                    ]
                }
            ]
        },
    )

    operations: list[BatchOperation] = Field(min_length=1, max_length=50)


class BatchResult(BaseModel):
    status: int = Field(description="The status the operation would have answered alone.")
    body: JsonValue = Field(description="Its JSON body (null for 204).")


class BatchResponse(BaseModel):
    """Every operation succeeded: their results, in order."""

    results: list[BatchResult]
