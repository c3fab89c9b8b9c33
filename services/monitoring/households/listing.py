"""Searching the registry: by village, name, ID number (full or masked), category, status."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.auth.principal import Principal
from services.common.errors import InvalidInput
from services.common.fields import AreaCode
from services.common.personal_data import Protector, normalize_person_number
from services.monitoring.households import repository
from services.monitoring.models import Household


class HouseholdFilters(BaseModel):
    # Not `extra="forbid"`: the list's `limit` and `cursor` share the query string.

    village: AreaCode | None = Field(None, description="village code")
    name: str | None = Field(
        None, min_length=1, max_length=50, description="head or member name, part of it"
    )
    person_number: str | None = Field(
        None,
        min_length=10,
        max_length=30,
        description="a full ID number (exact match), or its masked form such as 411424********1234",
    )
    status: Literal["none", "monitored", "eliminated"] | None = None
    category: str | None = Field(None, max_length=40)
    kind: Literal["exited_poverty", "ordinary"] | None = None


async def list_households(
    session: AsyncSession,
    principal: Principal,
    protector: Protector,
    filters: HouseholdFilters,
    *,
    after: list[Any] | None,
    limit: int,
) -> list[Household]:
    query: dict[str, Any] = filters.model_dump(exclude={"person_number"})
    if filters.person_number:
        number = normalize_person_number(filters.person_number)
        if "*" in number:
            query["person_masked"] = number
        elif len(number) >= 18:
            query["person_index"] = protector.person_number_index(number)
        else:
            raise InvalidInput.for_field(
                "query.person_number",
                "person_number_search",
                "Give the full number or its masked form.",
            )
    position = (str(after[0]), str(after[1]), uuid.UUID(str(after[2]))) if after else None
    return await repository.list_households(
        session, principal, filters=query, after=position, limit=limit
    )
