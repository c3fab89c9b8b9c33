"""What one household adds to its village's stored figures, given its state.

Every write that changes a household's kind, status, category or member count records
`after - before` of these contributions, so the figures stay exact whatever the write was.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from services.monitoring.figures import rollups as f
from services.monitoring.models import Household


@dataclass(frozen=True)
class HouseholdState:
    area_code: str
    kind: str
    monitoring_status: str
    monitoring_category: str | None
    member_count: int

    @classmethod
    def of(cls, household: Household) -> HouseholdState:
        return cls(
            area_code=household.area_code,
            kind=household.kind,
            monitoring_status=household.monitoring_status,
            monitoring_category=household.monitoring_category,
            member_count=household.member_count,
        )


def contribution(state: HouseholdState | None) -> Counter[str]:
    figures: Counter[str] = Counter()
    if state is None:
        return figures
    people = state.member_count
    figures[f.HOUSEHOLDS] += 1
    figures[f.PEOPLE] += people
    if state.kind == "exited_poverty":
        figures[f.EXITED_POVERTY_HOUSEHOLDS] += 1
        figures[f.EXITED_POVERTY_PEOPLE] += people
    if state.monitoring_status == "monitored":
        figures[f.MONITORED_HOUSEHOLDS] += 1
        figures[f.MONITORED_PEOPLE] += people
        if state.monitoring_category:
            figures[f.by_category(f.MONITORED_HOUSEHOLDS, state.monitoring_category)] += 1
            figures[f.by_category(f.MONITORED_PEOPLE, state.monitoring_category)] += people
        if state.kind != "exited_poverty":
            figures[f.MONITORED_NOT_EXITED_HOUSEHOLDS] += 1
    elif state.monitoring_status == "eliminated":
        figures[f.ELIMINATED_HOUSEHOLDS] += 1
        figures[f.ELIMINATED_PEOPLE] += people
    return figures


async def record_state_change(
    session: AsyncSession, before: HouseholdState | None, after: HouseholdState | None
) -> None:
    """Move the household's contribution from `before` to `after` (either may be None).
    A household never changes village, but both areas are handled for safety."""
    if before is not None and after is not None and before.area_code == after.area_code:
        delta = contribution(after)
        delta.subtract(contribution(before))
        await f.bump(session, after.area_code, delta.items())
        return
    if before is not None:
        await f.bump(session, before.area_code, [(k, -v) for k, v in contribution(before).items()])
    if after is not None:
        await f.bump(session, after.area_code, contribution(after).items())
