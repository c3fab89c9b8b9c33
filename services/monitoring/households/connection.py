"""Errors of the registry's statements sent on the session's asyncpg connection."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import asyncpg

from services.common.errors import UNSTORABLE_TEXT, FieldProblem, InvalidInput


@contextmanager
def text_refused_as_invalid() -> Iterator[None]:
    """Text the database cannot store (a NUL character) is the client's bad input: 422, as the
    error handlers answer SQLAlchemy's error, rather than asyncpg's own error and a 500."""
    try:
        yield
    except asyncpg.PostgresError as error:
        if error.sqlstate not in UNSTORABLE_TEXT:
            raise
        message = "NUL and invalid bytes are refused"
        raise InvalidInput(
            "The request contains characters that cannot be stored (such as NUL).",
            fields=[FieldProblem(field="body", rule="unsupported_character", message=message)],
        ) from None
