"""Pulling the changes of the caller's area since a cursor: a page of the change feed joined to
the current records, each changed record once per page at its latest state."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.audit import record_audit
from services.common.auth.principal import Principal
from services.common.changes import list_changes
from services.monitoring.cases.schemas import CaseRead
from services.monitoring.codes.book import CodeBook
from services.monitoring.households.schemas import HouseholdRead, MemberRead
from services.monitoring.models import Case, DepartmentWarning, Household, Member
from services.monitoring.settings import MonitoringSettings
from services.monitoring.sync import repository
from services.monitoring.sync.schemas import PulledRecord, PullPage
from services.monitoring.warnings.schemas import WarningRead


def _household(row: Household, today: date, settings: MonitoringSettings) -> dict[str, Any]:
    return HouseholdRead.model_validate(row).model_dump(mode="json", exclude={"members"})


def _member(row: Member, today: date, settings: MonitoringSettings) -> dict[str, Any]:
    return MemberRead.model_validate(row).model_dump(mode="json")


def _case(row: Case, today: date, settings: MonitoringSettings) -> dict[str, Any]:
    return CaseRead.of(row, today, settings.notice_days).model_dump(mode="json")


def _warning(row: DepartmentWarning, today: date, settings: MonitoringSettings) -> dict[str, Any]:
    return WarningRead.model_validate(row).model_dump(mode="json")


# (record, today, settings): a case's derived fields depend on the day and the notice's days.
Serializer = Callable[[Any, date, MonitoringSettings], dict[str, Any]]
# Feed entity -> (name on the device, model, serializer); other entities are not synced.
ENTITIES: dict[str, tuple[str, repository.RecordModel, Serializer]] = {
    "household": ("household", Household, _household),
    "member": ("member", Member, _member),
    "case": ("case", Case, _case),
    "department_warning": ("warning", DepartmentWarning, _warning),
}
PERSONAL = {"household", "member"}


async def pull(
    session: AsyncSession,
    principal: Principal,
    book: CodeBook,
    *,
    cursor: str | None,
    limit: int,
    today: date,
    settings: MonitoringSettings,
) -> PullPage:
    page = await list_changes(session, principal, after=cursor, limit=limit)
    changed: dict[tuple[str, uuid.UUID], None] = {}
    for change in page.items:
        if change.entity in ENTITIES:
            changed[(change.entity, uuid.UUID(change.entity_id))] = None
    items = []
    for entity, (name, model, serialize) in ENTITIES.items():
        ids = [record_id for kind, record_id in changed if kind == entity]
        found = await repository.current_records(session, principal, model, ids)
        rows = {row.id: row for row in found}
        for record_id in ids:
            row = rows.get(record_id)
            items.append(
                PulledRecord(
                    entity=name,
                    id=record_id,
                    version=None if row is None else row.version,
                    record=None if row is None else serialize(row, today, settings),
                )
            )
    people = [str(i.id) for i in items if i.entity in PERSONAL and i.record is not None]
    if people:
        # Households and members are personal records: their (masked) read is audited.
        await record_audit(
            session,
            principal,
            action="sync_pull",
            entity="sync",
            entity_id=principal.area,
            area_code=principal.area,
            details={"ids": people},
        )
    return PullPage(
        items=items,
        code_lists=_code_lists(book) if cursor is None else None,
        next_cursor=page.next_cursor,
        has_more=len(page.items) == limit,
    )


def _code_lists(book: CodeBook) -> dict[str, list[dict[str, Any]]]:
    return {
        list_name: [
            {
                "code": entry.code,
                "label_zh": entry.label_zh,
                "label_en": entry.label_en,
                "national_code": entry.national_code,
                "parent_code": entry.parent_code,
            }
            for entry in entries.values()
        ]
        for list_name, entries in book.lists.items()
    }
