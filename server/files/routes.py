"""The routes of files: their declaration; inputs and responses come from the handlers' signatures."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from pydantic import BaseModel

from ..pipeline.route import Auth, Route
from . import handlers

CONTENT = "/v1/files/{id}/content"


def _describe_download(document: dict[str, Any], routes: Sequence[Route], ref: Callable[[type[BaseModel]], Any]) -> None:
    """206 carries Content-Range; 304 has no body."""
    responses = document["paths"][CONTENT]["get"]["responses"]
    responses["206"]["description"] = "The requested byte range"
    responses["206"]["headers"]["Content-Range"] = {
        "description": "bytes <first>-<last>/<size>",
        "schema": {"type": "string"},
    }
    responses["304"] = {
        "description": "Not modified: the client's copy (If-None-Match) is current",
        "headers": {"ETag": responses["304"]["headers"]["ETag"]},
    }


ROUTES: list[Route] = [
    Route(
        method="POST",
        path="/v1/conversations/{id}/files",
        handler=handlers.upload_file,
        auth=Auth.USER,
        summary="Upload a file to a conversation",
        tag="files",
        status=201,
        errors=("payload_too_large", "unsupported_media_type"),
        description="multipart/form-data: the optional `kind` field, then the `file` part, streamed to storage "
        "(never whole in memory; 413 past MAX_UPLOAD_BYTES, nothing kept). The content type is detected from the "
        "content; the client's file name is kept only as `filename`. By the conversation's owner or a user it is "
        "shared with.",
    ),
    Route(
        method="GET",
        path="/v1/conversations/{id}/files",
        handler=handlers.list_files,
        auth=Auth.USER,
        summary="List a conversation's files, newest first",
        tag="files",
    ),
    Route(
        method="GET",
        path="/v1/files/{id}",
        handler=handlers.get_file,
        auth=Auth.USER,
        summary="Get a file's details",
        tag="files",
    ),
    Route(
        method="GET",
        path=CONTENT,
        handler=handlers.download_file,
        auth=Auth.USER,
        summary="Download a file's content",
        tag="files",
        other_statuses=(206, 304),
        errors=("range_not_satisfiable", "conflict"),
        batchable=False,
        media_type="application/octet-stream",
        raw_schema={"type": "string", "format": "binary"},
        response_headers={
            "Content-Type": "The type detected when the file was stored.",
            "Content-Disposition": "inline for images, PDF and plain text; attachment for everything else (HTML, "
            "SVG, XML, scripts...), with the file's name.",
            "ETag": "The quoted sha256 of the content.",
            "Accept-Ranges": "bytes",
        },
        refine_openapi=_describe_download,
        description="Streamed from storage. Range (one byte range: 206), If-None-Match (304) and If-Range are "
        "honoured; X-Content-Type-Options: nosniff always.",
    ),
    Route(
        method="DELETE",
        path="/v1/files/{id}",
        handler=handlers.delete_file,
        auth=Auth.USER,
        summary="Delete a file",
        tag="files",
        errors=("forbidden",),
        description="By the file's creator or the conversation's owner. The content leaves storage after the row "
        "is gone (at once, or by the file_outbox job after a failure).",
    ),
]
