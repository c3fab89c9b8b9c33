"""The code book: every code list in memory, checked on every write.

Code lists change only by migration, so one load per process is exact; the book is loaded on
first use and kept on the app state.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.errors import InvalidInput
from services.monitoring.codes import repository
from services.monitoring.models import Code


@dataclass(frozen=True)
class CodeEntry:
    """A code as kept in memory: plain values, never a session-bound ORM object (the session
    that loaded the book is long closed when the book is used)."""

    list_name: str
    code: str
    label_zh: str
    label_en: str
    national_code: str | None
    parent_code: str | None


class CodeBook:
    def __init__(self, codes: Iterable[Code]) -> None:
        self.lists: dict[str, dict[str, CodeEntry]] = {}
        for code in codes:
            entry = CodeEntry(
                code.list_name,
                code.code,
                code.label_zh,
                code.label_en,
                code.national_code,
                code.parent_code,
            )
            self.lists.setdefault(code.list_name, {})[code.code] = entry

    def has(self, list_name: str, code: str) -> bool:
        return code in self.lists.get(list_name, {})

    def check(self, list_name: str, code: str | None, field: str) -> None:
        """422 `code_unknown` naming the field when `code` is not in the list."""
        if code is not None and not self.has(list_name, code):
            raise InvalidInput.for_field(
                field, "code_unknown", f"{code!r} is not a code of the list {list_name}."
            )

    def check_all(self, list_name: str, codes: Iterable[str], field: str) -> None:
        for code in codes:
            self.check(list_name, code, field)


async def code_book(request: Request, session: AsyncSession) -> CodeBook:
    """The app's code book, loaded on first use."""
    book: CodeBook | None = getattr(request.app.state, "code_book", None)
    if book is None:
        book = CodeBook(await repository.all_codes(session))
        request.app.state.code_book = book
    return book
