"""`POST /imports/households`: onboarding a county's household register (台账导入).

A plain APIRouter route, not a unit-of-work one: the unit of work reads the whole body to hash
it for idempotency, and an import body can be gigabytes. The route opens its own session and
runs the import in one transaction, committed before the report is returned.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request

from services.common.auth.dependencies import require_roles
from services.common.auth.principal import Principal
from services.common.auth.roles import Role
from services.common.errors import DixianError
from services.monitoring.codes.book import code_book
from services.monitoring.imports import service
from services.monitoring.imports.chunks import ImportFormat
from services.monitoring.imports.schemas import ImportReport
from services.monitoring.imports.workers import ImportTuning

router = APIRouter(tags=["imports"])

MEDIA_TYPES: dict[str, ImportFormat] = {
    "application/x-ndjson": "ndjson",
    "application/jsonl": "ndjson",
    "text/csv": "csv",
}

DESCRIPTION = """
Streams a file of **one row per household member** into the registry, in one transaction.

**Formats.** `Content-Type: application/x-ndjson` (one JSON object per line) or `text/csv`
(UTF-8, byte-order mark allowed, a header row naming the columns; unknown columns are ignored and
listed in `ignored_columns`). Fields of each row: `household_number` (户编号, required, up to 40
characters), `village` (12-digit code of a village in your area, required), `kind`
(`exited_poverty` or `ordinary`, required), `address`, `phone` (the household's), then the
member: `person_number` (resident ID or disability certificate number, required), `name`
(required), `relationship` (code, required; exactly one `head` per household, whose name becomes
the household's head name), `education`, `student_status`, `health`, `labour_ability` (codes),
`work_place`, `work_months` (0-12), and the flags `medical_insurance`, `pension_insurance`,
`minimum_living_allowance`, `extreme_poverty_support` (JSON booleans; in CSV 1/0, true/false,
是/否). A household's rows must agree on village, kind, address and phone.

**All or nothing per household.** A household is created with all its rows or not at all: when
one of its rows is rejected, its other rows are rejected with `household_incomplete`. The report
lists the first 1,000 rejected rows (`row` is 1-based, the CSV header not counted) with the
field and the rule broken: `missing`, `too_long`, `type`, `malformed`, `code_unknown`,
`format`, `structure`, `not_a_village`, `area_out_of_scope`, `range`, the ID-number rules
(`format`, `check_digit`, `birth_date`, `region`, `disability_category`, `disability_level`),
`duplicate_in_file`, `person_in_other_household`, `household_fields_disagree`,
`household_head`, `household_incomplete`, `household_number_taken`, `household_exists`.

**Idempotency.** The body is streamed, not buffered, so this route does not store responses
under an `Idempotency-Key` (the header is accepted and ignored). Re-importing the same file is
safe instead: households are matched by `household_number` and people by their ID number, a
person already in that household counts as `unchanged`, and nothing is written twice (no figure,
change-feed or version changes). An import never changes a registered household.

**Limits.** 2 GB and 5,000,000 rows per upload (422 `import_too_large`).
"""


@router.post(
    "/imports/households",
    response_model=ImportReport,
    summary="Import households and members (台账导入)",
    description=DESCRIPTION,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/x-ndjson": {"schema": {"type": "string", "format": "binary"}},
                "text/csv": {"schema": {"type": "string", "format": "binary"}},
            },
        }
    },
    responses={
        403: {"description": "Role not allowed"},
        409: {"description": "Someone registered a household or person of the file meanwhile"},
        415: {"description": "Not NDJSON or CSV"},
        422: {"description": "Too large, or a CSV header without the required columns"},
    },
)
async def import_households(
    request: Request,
    principal: Annotated[
        Principal,
        Depends(require_roles(Role.VILLAGE_OFFICER, Role.COUNTY_ADMIN, Role.ADMINISTRATOR)),
    ],
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            max_length=200,
            description="Accepted and ignored: re-importing the same file changes nothing.",
        ),
    ] = None,
) -> ImportReport:
    format = _format(request.headers.get("content-type"))
    content_length = _content_length(request.headers.get("content-length"))
    tuning: ImportTuning = getattr(request.app.state, "import_tuning", None) or ImportTuning()
    async with request.app.state.database.sessionmaker() as session, session.begin():
        return await service.import_households(
            session,
            principal,
            request.stream(),
            format=format,
            codes=await code_book(request, session),
            settings=request.app.state.settings,
            tuning=tuning,
            content_length=content_length,
        )


def _format(content_type: str | None) -> ImportFormat:
    media_type, *parameters = (content_type or "").split(";")
    format = MEDIA_TYPES.get(media_type.strip().lower())
    charsets = {
        value.strip().strip('"').lower()
        for name, _, value in (parameter.partition("=") for parameter in parameters)
        if name.strip().lower() == "charset"
    }
    if format is None or not charsets <= {"utf-8", "utf8"}:
        raise DixianError(
            "Send application/x-ndjson or text/csv in UTF-8.",
            status=415,
            code="unsupported_media_type",
        )
    return format


def _content_length(header: str | None) -> int | None:
    if header is None or not header.strip().isdigit():
        return None
    length = int(header)
    if length > service.MAX_BODY_BYTES:
        raise service.body_too_large()
    return length
