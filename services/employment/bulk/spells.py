"""Bulk loading of employment spells: each row checked in Python, a batch's labourers found in
the caller's area and locked with one query, the rows COPYed straight into `employment_spells`
with their change-feed rows, and at the end every touched labourer's years recounted, all in
one transaction.

Public-welfare post contracts are not taken in bulk: each one is checked against its post's
positions and pay cap, which is the single-record route's job.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import Uuid, bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.audit import record_audit
from services.common.auth.principal import Principal
from services.common.personal_data import Protector
from services.employment.bulk import fields, loading
from services.employment.bulk.fields import RowError
from services.employment.bulk.labourers import LockedLabourers, PersonIndexes
from services.employment.bulk.report import BulkReport, Problems, RowProblem
from services.employment.bulk.streaming import FileFormat, Record, Upload
from services.employment.settings import EmploymentSettings
from services.employment.spells import yearly
from services.employment.spells.schemas import PLACE_CLASSES

ENTITY = "employment_spell"
FORMAT = FileFormat(
    columns=frozenset(
        {
            "ref",
            "labourer_id",
            "person_number",
            "employer",
            "place_class",
            "kind",
            "start_date",
            "end_date",
            "monthly_wage",
            "workshop_id",
        }
    ),
    required=frozenset({"employer", "place_class", "kind", "start_date", "monthly_wage"}),
)
BULK_KINDS = frozenset({"enterprise", "assistance_workshop", "self_employed"})
PLACES = frozenset(PLACE_CLASSES)
SPELL_COLUMNS = (
    "id",
    "labourer_id",
    "area_code",
    "employer",
    "place_class",
    "kind",
    "start_date",
    "end_date",
    "monthly_wage",
    "workshop_id",
    "version",
)
# One bulk spell load at a time, so two loads never lock labourers crosswise.
LOAD_LOCK = "SELECT pg_advisory_xact_lock(hashtext('employment:bulk_spells'))"
WORKSHOPS = text(
    "SELECT w.id FROM unnest(:ids) AS wanted(id) JOIN assistance_workshops AS w "
    "ON w.id = wanted.id WHERE w.area_code BETWEEN :low AND :high"
).bindparams(bindparam("ids", type_=ARRAY(Uuid())))
TOUCHED_TABLE = (
    "CREATE TEMP TABLE bulk_spell_labourers (labourer_id uuid PRIMARY KEY) ON COMMIT DROP"
)


@dataclass(slots=True)
class SpellRow:
    """One checked row, its labourer still to be found."""

    row: int
    ref: str | None
    labourer_id: uuid.UUID | None
    person_index: bytes | None
    employer: str
    place_class: str
    kind: str
    start_date: date
    end_date: date | None
    monthly_wage: Decimal
    workshop_id: uuid.UUID | None


@dataclass
class Touched:
    labourers: set[uuid.UUID] = field(default_factory=set)


def spell_row(record: Record, indexes: PersonIndexes) -> SpellRow:
    """The checked row, or `RowError`."""
    values = record.values
    labourer_id = fields.optional_identifier(values, "labourer_id")
    number = fields.optional_text(values, "person_number", 30)
    if (labourer_id is None) == (number is None):
        raise RowError(
            "labourer_id", "labourer_reference", "Give either labourer_id or person_number."
        )
    index = None if number is None else indexes.index(number)
    kind = fields.choice(values, "kind", BULK_KINDS | {"public_welfare_post"})
    if kind == "public_welfare_post":
        raise RowError(
            "kind",
            "post_contract_not_in_bulk",
            "Record public-welfare post contracts one by one: each is checked against its post.",
        )
    place = fields.choice(values, "place_class", PLACES)
    workshop_id = fields.optional_identifier(values, "workshop_id")
    if (workshop_id is not None) != (kind == "assistance_workshop"):
        raise RowError(
            "workshop_id",
            "workshop_kind_mismatch",
            "An assistance workshop job names its workshop; other jobs name none.",
        )
    if kind == "assistance_workshop" and place != "in_county":
        raise RowError("place_class", "local_place_required", "Workshop jobs are in the county.")
    start = fields.day(values, "start_date")
    end = fields.optional_day(values, "end_date")
    if end is not None and end < start:
        raise RowError("end_date", "dates_in_order", "A job ends on or after the day it starts.")
    return SpellRow(
        row=record.row,
        ref=record.ref,
        labourer_id=labourer_id,
        person_index=index,
        employer=fields.text(values, "employer", 200),
        place_class=place,
        kind=kind,
        start_date=start,
        end_date=end,
        monthly_wage=fields.money(values, "monthly_wage"),
        workshop_id=workshop_id,
    )


async def load_spells(
    session: AsyncSession,
    principal: Principal,
    settings: EmploymentSettings,
    protector: Protector,
    upload: Upload,
) -> BulkReport:
    problems = Problems(limit=settings.bulk_max_reported_problems)
    scope = loading.scope(principal)
    touched = Touched()
    labourers = LockedLabourers(session, scope)
    indexes = PersonIndexes(protector)
    await session.execute(text(LOAD_LOCK))
    await loading.hold_statistics(session, ("employment_spells", "labourer_years"))
    await session.execute(text(loading.WORK_MEM))
    copy_spells = await loading.copier(session, "employment_spells", SPELL_COLUMNS)
    copy_changes = await loading.copier(session, "changes", loading.CHANGE_COLUMNS)

    async def store(rows: list[SpellRow]) -> None:
        await labourers.find(
            (row.labourer_id for row in rows if row.labourer_id is not None),
            (row.person_index for row in rows if row.person_index is not None),
        )
        workshops = await _workshops(session, rows, scope)
        spells, changes = [], []
        ids = iter(loading.new_ids(len(rows)))
        for row in rows:
            found = labourers.get(row.labourer_id or row.person_index)
            if found is None:
                problems.add(_not_found(row, "labourer"))
                continue
            if row.workshop_id is not None and row.workshop_id not in workshops:
                problems.add(_not_found(row, "workshop"))
                continue
            labourer_id, area_code = found
            spell_id = next(ids)
            spells.append(
                (
                    spell_id,
                    labourer_id,
                    area_code,
                    row.employer,
                    row.place_class,
                    row.kind,
                    row.start_date,
                    row.end_date,
                    row.monthly_wage,
                    row.workshop_id,
                    1,
                )
            )
            changes.append((ENTITY, str(spell_id), "create", area_code, 1))
            touched.labourers.add(labourer_id)
        await copy_spells(spells)
        await copy_changes(changes)

    await loading.pipeline(
        upload, FORMAT, lambda record: spell_row(record, indexes), store, problems
    )
    await _recount(session, touched.labourers, settings)
    report = problems.report(uuid.uuid4(), ENTITY, upload.rows)
    await record_audit(
        session,
        principal,
        action="bulk_create",
        entity=f"{ENTITY}_import",
        entity_id=str(report.import_id),
        area_code=principal.area,
        details={"rows": report.rows, "accepted": report.accepted, "rejected": report.rejected},
    )
    return report


async def _workshops(
    session: AsyncSession, rows: list[SpellRow], scope: dict[str, str]
) -> set[uuid.UUID]:
    ids = list({row.workshop_id for row in rows if row.workshop_id is not None})
    if not ids:
        return set()
    return set((await session.scalars(WORKSHOPS, {"ids": ids, **scope})).all())


async def _recount(
    session: AsyncSession, labourers: set[uuid.UUID], settings: EmploymentSettings
) -> None:
    """The touched labourers' years by the employed-in-year rule, from a temporary table (dropped
    here as well as on commit: a commit in tests only releases a savepoint)."""
    await session.execute(text(TOUCHED_TABLE))
    copy = await loading.copier(session, "bulk_spell_labourers", ("labourer_id",))
    await copy([(labourer_id,) for labourer_id in labourers])
    await session.execute(text("ANALYZE bulk_spell_labourers"))
    await yearly.recount_staged(
        session, "bulk_spell_labourers", min_days=settings.employed_min_days()
    )
    await session.execute(text("DROP TABLE bulk_spell_labourers"))


def _not_found(row: SpellRow, what: str) -> RowProblem:
    if what == "labourer":
        return RowProblem(
            row=row.row,
            ref=row.ref,
            field="labourer_id" if row.labourer_id is not None else "person_number",
            rule="labourer_not_found",
            message="No labourer with this id or ID number in your area.",
        )
    return RowProblem(
        row=row.row,
        ref=row.ref,
        field="workshop_id",
        rule="workshop_not_found",
        message="No assistance workshop with this id in your area.",
    )
