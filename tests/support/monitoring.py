"""Factories for the monitoring service: valid ID numbers and households written directly."""

from __future__ import annotations

import itertools
import uuid
from datetime import date

from fastapi import FastAPI

from services.monitoring.figures.contribution import HouseholdState, record_state_change
from services.monitoring.models import Household, Member
from tests.support.identities import VILLAGE

_sequence = itertools.count(1)


def person_number(
    region: str = "411424", birth: date = date(1980, 5, 17), sex: str = "male"
) -> str:
    """A valid 18-digit resident ID number, different on every call."""
    serial = next(_sequence) % 500
    third = 1 if sex == "male" else 0
    body = f"{region}{birth:%Y%m%d}{serial // 5 % 100:02d}{(serial % 5) * 2 + third}"
    weights = [2 ** (17 - i) % 11 for i in range(17)]
    check = (12 - sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11) % 11
    return body + ("X" if check == 10 else str(check))


async def create_household(
    app: FastAPI,
    *,
    village: str = VILLAGE,
    kind: str = "ordinary",
    status: str = "none",
    category: str | None = None,
    members: int = 3,
    head_name: str = "张建国",
    labour_ability: str = "ordinary",
) -> Household:
    """A household with `members` people (the first is the head), figures updated."""
    protector = app.state.protector
    household = Household(
        id=uuid.uuid4(),
        area_code=village,
        kind=kind,
        head_name=head_name,
        monitoring_status=status,
        monitoring_category=category,
        risk_types=["illness"] if status != "none" else [],
        member_count=members,
        version=1,
    )
    rows = []
    for position in range(members):
        number = protector.person_number(person_number(birth=date(1960 + position * 10, 3, 1)))
        rows.append(
            Member(
                id=uuid.uuid4(),
                household_id=household.id,
                area_code=village,
                person_number_cipher=number.cipher,
                person_number_index=number.index,
                person_number_masked=number.masked,
                person_number_kind=number.parsed.kind,
                name=head_name if position == 0 else f"{head_name[0]}成员{position}",
                sex=number.parsed.sex,
                birth_date=number.parsed.birth_date,
                relationship="head" if position == 0 else "son",
                labour_ability=labour_ability,
                version=1,
            )
        )
    async with app.state.database.sessionmaker() as session:
        session.add(household)
        await session.flush()
        session.add_all(rows)
        await record_state_change(session, None, HouseholdState.of(household))
        await session.commit()
    return household
