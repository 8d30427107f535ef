"""What a file is and how it is served: its type from its bytes, its display name, its byte ranges.

The type is detected from the content (puremagic's signature tables, then a
look at text), never taken from the client. Only types a browser shows without
running anything are served inline; everything else (HTML, SVG, XML,
JavaScript, archives, unknown bytes) is `Content-Disposition: attachment`, and
every download carries `X-Content-Type-Options: nosniff`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import quote

import puremagic

SNIFF_BYTES = 8192  # what detect_type looks at
MAX_NAME_CHARS = 255
OCTET_STREAM = "application/octet-stream"
TEXT = "text/plain; charset=utf-8"
# Shown by browsers without running anything: served inline. Anything else is an attachment.
INLINE = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", TEXT})
# Extensions for the server-chosen name (helps operators browsing the tree; never used to decide anything).
_SAFE_EXTENSION = re.compile(r"^\.[a-z0-9]{1,10}$")
_MARKUP = (
    ("<!doctype html", "text/html", ".html"),
    ("<html", "text/html", ".html"),
    ("<svg", "image/svg+xml", ".svg"),
    ("<?xml", "application/xml", ".xml"),
)
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


@dataclass(frozen=True)
class FileType:
    mime_type: str
    extension: str  # "" or ".png"

    @property
    def inline(self) -> bool:
        return self.mime_type in INLINE


def detect_type(head: bytes) -> FileType:
    """The type of a file from its first bytes (SNIFF_BYTES of them, or all of a shorter file)."""
    head = head[:SNIFF_BYTES]
    text = _as_text(head)
    if text is not None:
        start = text.lstrip("\ufeff \t\r\n").lower()
        for prefix, mime, extension in _MARKUP:
            if start.startswith(prefix):
                if mime == "application/xml" and "<svg" in start:
                    return FileType("image/svg+xml", ".svg")
                return FileType(mime, extension)
    try:
        matches = puremagic.magic_string(head) if head else []
    except puremagic.PureError:
        matches = []
    for match in matches:
        if match.mime_type:
            extension = match.extension.lower() if _SAFE_EXTENSION.match(match.extension.lower()) else ""
            return FileType(match.mime_type, extension)
    if text is not None:
        return FileType(TEXT, ".txt")
    return FileType(OCTET_STREAM, "")


def _as_text(head: bytes) -> str | None:
    """The bytes as UTF-8 text without NUL (a character cut at the end of the sample is allowed), or None."""
    if b"\x00" in head:
        return None
    try:
        return head.decode()
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 3 and exc.reason == "unexpected end of data":
            return head[: exc.start].decode(errors="strict")
        return None


def display_name(given: str | None) -> str | None:
    """The client's file name as kept in the database: its last path segment (any of / and \\), without control
    or format characters (NUL, newlines, right-to-left overrides...), at most MAX_NAME_CHARS; None if nothing
    is left. It is shown to people and sent back in Content-Disposition, never used on disk."""
    if given is None:
        return None
    last = re.split(r"[/\\]", given)[-1]
    cleaned = "".join(ch for ch in last if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn"))
    cleaned = cleaned.strip()[:MAX_NAME_CHARS].strip()
    if cleaned in ("", ".", ".."):
        return None
    return cleaned


def content_disposition(file_type: FileType, name: str | None) -> str:
    """inline for the types in INLINE, attachment otherwise, with the name in ASCII and in RFC 5987 UTF-8."""
    disposition = "inline" if file_type.inline else "attachment"
    if not name:
        return disposition
    fallback = "".join(ch if " " <= ch <= "~" and ch not in '"\\%' else "_" for ch in name)
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


class Unsatisfiable(Exception):
    """A byte range that starts past the end of the file."""


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The (start, end-exclusive) of a single `Range: bytes=a-b` header, or None to send the whole file
    (no header, several ranges, or a header of another unit: RFC 9110 lets a server ignore those);
    Unsatisfiable for a range that starts past the end."""
    if header is None:
        return None
    found = _RANGE.match(header.strip())
    if found is None:
        return None
    first, last = found.groups()
    if not first:
        if not last:
            return None
        suffix = int(last)
        if suffix == 0:
            raise Unsatisfiable
        return max(size - suffix, 0), size
    start = int(first)
    if start >= size:
        raise Unsatisfiable
    end = size if not last else min(int(last) + 1, size)
    if end <= start:
        return None  # last < first: not a valid range; ignored
    return start, end
