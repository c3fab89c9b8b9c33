"""`/code-lists`: the code lists, for forms and validation in the field app."""

from __future__ import annotations

from fastapi import Request
from pydantic import BaseModel

from services.common.auth.dependencies import CurrentPrincipal
from services.common.database import SessionDep, UnitOfWorkRouter
from services.common.errors import NotFound
from services.monitoring.codes.book import code_book

router = UnitOfWorkRouter(prefix="/code-lists", tags=["code lists"])


class CodeRead(BaseModel):
    code: str
    label_zh: str
    label_en: str
    national_code: str | None
    parent_code: str | None


@router.get("", response_model=dict[str, list[CodeRead]], summary="All code lists (代码表)")
async def list_code_lists(
    request: Request, session: SessionDep, _principal: CurrentPrincipal
) -> dict[str, list[CodeRead]]:
    book = await code_book(request, session)
    return {
        name: [CodeRead.model_validate(code, from_attributes=True) for code in codes.values()]
        for name, codes in sorted(book.lists.items())
    }


@router.get("/{list_name}", response_model=list[CodeRead], summary="One code list (代码表)")
async def get_code_list(
    list_name: str, request: Request, session: SessionDep, _principal: CurrentPrincipal
) -> list[CodeRead]:
    book = await code_book(request, session)
    if list_name not in book.lists:
        raise NotFound(f"No code list {list_name}.")
    return [
        CodeRead.model_validate(code, from_attributes=True)
        for code in book.lists[list_name].values()
    ]
