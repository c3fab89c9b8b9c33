"""Keyset pagination: `cursor` + `limit`, never OFFSET.

A cursor is the sort key of the last row served, as opaque base64url JSON. Lists answer
`{"items": [...], "next_cursor": "..."}`; `next_cursor` is null on the last page.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from datetime import date
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel

from services.common.errors import InvalidInput

T = TypeVar("T")

Limit = Annotated[int, Query(ge=1, le=500, description="Page size, 1 to 500 (每页条数).")]
Cursor = Annotated[
    str | None,
    Query(max_length=500, description="Opaque cursor from the previous page's `next_cursor`."),
]


class Page(BaseModel, Generic[T]):
    """One page of a list."""

    items: list[T]
    next_cursor: str | None


class CursorDate(date):
    """A date read back from a cursor (`decode_cursor` builds each value as `type(value)`, and
    a cursor keeps dates as ISO strings)."""

    def __new__(cls, value: str) -> CursorDate:
        parsed = date.fromisoformat(value)
        return super().__new__(cls, parsed.year, parsed.month, parsed.day)


def page_of(
    rows: Sequence[T], limit: int, sort_key: Callable[[T], Sequence[Any]]
) -> tuple[list[T], str | None]:
    """The first `limit` rows and the cursor of the next page, from a query that fetched
    `limit + 1` rows (the extra one only tells whether there is a next page)."""
    items = list(rows[:limit])
    more = len(rows) > limit
    return items, encode_cursor(sort_key(items[-1])) if more else None


def encode_cursor(values: Sequence[Any]) -> str:
    """Opaque cursor for a sort key."""
    raw = json.dumps(list(values), separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, types: Sequence[type]) -> list[Any] | None:
    """The sort key in a cursor, checked against the expected types; 422 on anything else."""
    if cursor is None or cursor == "":
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
        if not isinstance(values, list) or len(values) != len(types):
            raise ValueError("wrong arity")
        decoded = [kind(value) for kind, value in zip(types, values, strict=True)]
        if any(isinstance(value, str) and not value.isprintable() for value in decoded):
            raise ValueError("control characters")
        return decoded
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as exc:
        raise InvalidInput.for_field(
            "query.cursor", "cursor_invalid", "The cursor is not one this list handed out."
        ) from exc
