"""The rules of the area registry. Every write is audited and goes into the change feed.

National provinces, cities and counties come from the shipped division file; operators add the
townships and villages below them, and administrators add custom units (示范区) that the
national list lacks. Codes are never deleted: a dissolved unit keeps its code for old records.
The same rules serve a single registration and each row of a CSV import.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.areas import repository, upload
from gateway.areas.repository import Registered
from gateway.areas.schemas import (
    AreaCreate,
    AreaRead,
    AreaUpdate,
    ImportRejection,
    ImportReport,
)
from gateway.models import Area
from services.common.areas import (
    NATION_CODE,
    AreaLevel,
    InvalidAreaCode,
    is_within,
    level_of,
    parent_code,
    validate_area_code,
)
from services.common.audit import record_audit
from services.common.auth.principal import Principal
from services.common.auth.roles import Role
from services.common.concurrency import check_version
from services.common.errors import (
    Conflict,
    DixianError,
    FieldProblem,
    Forbidden,
    InvalidInput,
    NotFound,
)
from services.common.history import record_write
from services.common.pagination import decode_cursor

ENTITY = "area"
# Below the county, the national list says nothing: operators register these.
NATIONAL_LEVELS = frozenset({AreaLevel.TOWNSHIP, AreaLevel.VILLAGE})
CUSTOM_LEVELS = frozenset({AreaLevel.CITY, AreaLevel.COUNTY, AreaLevel.TOWNSHIP})


@dataclass(frozen=True)
class Fields:
    """How the fields are named in problems: `body.code` for JSON, `code` for a CSV row."""

    code: str
    parent_code: str


BODY = Fields("body.code", "body.parent_code")
ROW = Fields("code", "parent_code")


def check_new_area(principal: Principal, data: AreaCreate, fields: Fields) -> tuple[AreaLevel, str]:
    """The rules that need no database: the new area's level and its parent's code."""
    if data.custom and principal.role != Role.ADMINISTRATOR:
        raise Forbidden(
            "Only an administrator may register a custom area.", code="role_not_allowed"
        )
    level = level_of(data.code)
    allowed = CUSTOM_LEVELS if data.custom else NATIONAL_LEVELS
    if level not in allowed:
        levels = ", ".join(sorted(item.value for item in allowed))
        kind = "a custom area" if data.custom else "an area outside the national list"
        raise InvalidInput.for_field(
            fields.code,
            "level_not_allowed",
            f"{data.code} is a {level.value}; {kind} must be a {levels}.",
        )
    if not principal.covers(data.code):
        raise InvalidInput.for_field(
            fields.code, "area_out_of_scope", f"{data.code} is outside your jurisdiction."
        )
    # Never None here (the nation is no allowed level); the fallback only satisfies the type.
    structural = parent_code(data.code) or NATION_CODE
    parent = data.parent_code or structural
    if data.custom:
        # A custom unit may hang from any ancestor, but it must lie under it: scope is by
        # code prefix, so a parent that does not contain the code would not see its records.
        fits = parent != data.code and is_within(data.code, parent)
    else:
        fits = parent == structural
    if not fits:
        expected = "a place containing it" if data.custom else structural
        raise InvalidInput.for_field(
            fields.parent_code,
            "parent_mismatch",
            f"The parent of {data.code} must be {expected}, not {parent}.",
        )
    return level, parent


def check_not_registered(
    data: AreaCreate,
    parent: str,
    known: Mapping[str, Registered],
    fields: Fields,
    *,
    allow_identical: bool,
) -> bool:
    """False for a new code; True for one registered exactly so (same name and parent) when
    `allow_identical`, so that re-importing a file changes nothing; 409 otherwise."""
    existing = known.get(data.code)
    if existing is None:
        return False
    if allow_identical and existing.name == data.name and existing.parent_code == parent:
        return True
    raise _area_exists(fields, f"{data.code} is already registered as {existing.name}.")


def _area_exists(fields: Fields, message: str) -> Conflict:
    return Conflict(
        message,
        code="area_exists",
        fields=[FieldProblem(field=fields.code, rule="area_exists", message=message)],
    )


def check_parent(parent: str, known: Mapping[str, Registered], fields: Fields) -> None:
    registered = known.get(parent)
    if registered is None:
        raise InvalidInput.for_field(
            fields.parent_code, "parent_unknown", f"The parent {parent} is not in the registry."
        )
    if registered.dissolved_on is not None:
        raise InvalidInput.for_field(
            fields.parent_code,
            "parent_dissolved",
            f"The parent {parent} was dissolved on {registered.dissolved_on.isoformat()}.",
        )


async def register_area(session: AsyncSession, principal: Principal, data: AreaCreate) -> Area:
    level, parent = check_new_area(principal, data, BODY)
    known = await repository.registered_in_scope(session, principal, [data.code, parent])
    check_not_registered(data, parent, known, BODY, allow_identical=False)
    check_parent(parent, known, BODY)
    area = await repository.insert_area(session, _values(data, level, parent))
    if area is None:  # registered by a concurrent request since the check above
        raise _area_exists(BODY, f"{data.code} was registered by another request meanwhile.")
    await _written(session, principal, area, "create")
    return area


def cursor_code(cursor: str | None) -> str | None:
    """The code a list cursor points after; only a well-formed code may reach the SQL, since
    the cursor is text the client holds."""
    after = decode_cursor(cursor, (str,))
    if after is None:
        return None
    try:
        return validate_area_code(after[0])
    except InvalidAreaCode as exc:
        raise InvalidInput.for_field(
            "query.cursor", "cursor_invalid", "The cursor is not one this list handed out."
        ) from exc


async def read_area(session: AsyncSession, principal: Principal, code: str) -> Area:
    return await _get(session, principal, code)


async def update_area(
    session: AsyncSession, principal: Principal, code: str, data: AreaUpdate, version: int
) -> Area:
    area = await _get(session, principal, code, for_update=True)
    if principal.role != Role.ADMINISTRATOR and (
        area.custom or AreaLevel(area.level) not in NATIONAL_LEVELS
    ):
        # Mirrors registration: national divisions and custom units belong to administrators.
        raise Forbidden(
            f"Only an administrator may change a {area.level} or a custom area.",
            code="role_not_allowed",
        )
    check_version(version, area.version, AreaRead.model_validate(area).model_dump(mode="json"))
    changes = data.model_dump(exclude_unset=True)
    if not changes:
        raise InvalidInput.for_field("body", "no_changes", "Send name or dissolved_on.")
    if "name" in changes and changes["name"] is None:
        raise InvalidInput.for_field("body.name", "not_null", "name cannot be null.")
    for name, value in changes.items():
        setattr(area, name, value)
    area.version += 1
    await session.flush()
    await _written(session, principal, area, "update", sorted(changes))
    return area


async def import_areas(session: AsyncSession, principal: Principal, content: bytes) -> ImportReport:
    """Register the townships and villages of a CSV file; rows are checked in file order, so
    a parent registered earlier in the same file counts."""
    rows = upload.parse_rows(content)
    rejected: list[ImportRejection] = []
    checked: list[tuple[int, AreaCreate, AreaLevel, str]] = []
    for row in rows:
        try:
            data = _row_model(row)
            level, parent = check_new_area(principal, data, ROW)
        except DixianError as exc:
            rejected.append(_rejection(row.number, exc))
            continue
        checked.append((row.number, data, level, parent))

    wanted = [code for _, data, _, parent in checked for code in (data.code, parent)]
    known = await repository.registered_in_scope(session, principal, wanted)
    unchanged = 0
    pending: list[tuple[int, dict[str, Any]]] = []
    for number, data, level, parent in checked:
        try:
            if check_not_registered(data, parent, known, ROW, allow_identical=True):
                unchanged += 1
                continue
            check_parent(parent, known, ROW)
        except DixianError as exc:
            rejected.append(_rejection(number, exc))
            continue
        known[data.code] = Registered(data.code, data.name, parent, None)
        pending.append((number, _values(data, level, parent)))

    created = await repository.insert_areas(session, [values for _, values in pending])
    for number, values in pending:
        if values["code"] not in created:
            rejected.append(
                ImportRejection(
                    row=number,
                    field=ROW.code,
                    rule="area_exists",
                    message=f"{values['code']} was registered by another request meanwhile.",
                )
            )
    await repository.record_created_areas(
        session, [values["code"] for _, values in pending if values["code"] in created]
    )
    report = ImportReport(
        received=len(rows),
        created=len(created),
        unchanged=unchanged,
        rejected=sorted(rejected, key=lambda item: item.row),
    )
    await record_audit(
        session,
        principal,
        action="import",
        entity=ENTITY,
        entity_id=principal.area,
        area_code=principal.area,
        details=report.model_dump(include={"received", "created", "unchanged"})
        | {"rejected": len(report.rejected)},
    )
    return report


def _row_model(row: upload.CsvRow) -> AreaCreate:
    if row.surplus:
        raise InvalidInput.for_field(
            "row", "too_many_cells", "The row has more cells than the header."
        )
    try:
        return AreaCreate.model_validate(
            {
                "code": row.cells.get("code", ""),
                "name": row.cells.get("name", ""),
                "parent_code": row.cells.get("parent_code") or None,
            }
        )
    except ValidationError as exc:
        error = exc.errors()[0]
        field = ".".join(str(part) for part in error["loc"])
        raise InvalidInput.for_field(field, error["type"], error["msg"]) from None


def _rejection(number: int, exc: DixianError) -> ImportRejection:
    if exc.fields:
        problem = exc.fields[0]
        return ImportRejection(
            row=number, field=problem.field, rule=problem.rule, message=problem.message
        )
    return ImportRejection(row=number, field="row", rule=exc.code, message=exc.detail)


def _values(data: AreaCreate, level: AreaLevel, parent: str) -> dict[str, Any]:
    return {
        "code": data.code,
        "name": data.name,
        "level": level.value,
        "parent_code": parent,
        "custom": data.custom,
        "version": 1,
    }


async def _get(
    session: AsyncSession, principal: Principal, code: str, *, for_update: bool = False
) -> Area:
    area = await repository.get_in_scope(session, principal, code, for_update=for_update)
    if area is None:
        raise NotFound(f"No area {code}.")
    return area


async def _written(
    session: AsyncSession,
    principal: Principal,
    area: Area,
    action: str,
    fields: list[str] | None = None,
) -> None:
    await record_write(
        session,
        principal,
        entity=ENTITY,
        entity_id=area.code,
        area_code=area.code,
        version=area.version,
        action=action,
        fields=fields,
    )
