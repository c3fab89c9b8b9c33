"""`POST /bulk/employment-spells` and `POST /bulk/loans`: streamed NDJSON or CSV loads.

These routes stream their body, so they run their own unit of work instead of the kit's (which
reads the whole body first): one transaction for the whole file, committed before the report
is sent; `Idempotency-Key` required and honoured as everywhere (bulk/idempotency.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.auth.principal import Principal
from services.common.driver import discard_if_broken
from services.common.idempotency import idempotency_key_header
from services.common.personal_data import Protector
from services.employment.access import Lender, Recorder
from services.employment.bulk import loans, spells
from services.employment.bulk.idempotency import claim_upload, replay
from services.employment.bulk.loading import cyclic_gc_paused
from services.employment.bulk.report import BulkReport
from services.employment.bulk.streaming import CSV, Upload
from services.employment.settings import EmploymentSettings

router = APIRouter(tags=["bulk"])
IdempotencyKey = Annotated[str, Depends(idempotency_key_header)]
Loader = Callable[
    [AsyncSession, Principal, EmploymentSettings, Protector, Upload], Awaitable[BulkReport]
]


def upload_body(example: str) -> dict[str, Any]:
    """The body as OpenAPI states it. NDJSON (`application/x-ndjson`) is accepted too and named
    in the description only: the suite's schemathesis run cannot serialize that media type."""
    return {
        "requestBody": {
            "required": True,
            "content": {CSV: {"schema": {"type": "string"}, "example": example}},
        }
    }


async def run_load(request: Request, principal: Principal, loader: Loader) -> Response:
    settings: EmploymentSettings = request.app.state.settings
    upload = Upload(request, max_bytes=settings.bulk_max_bytes, max_rows=settings.bulk_max_rows)
    async with request.app.state.database.sessionmaker() as session:
        try:
            claim, stored = await claim_upload(request, session, principal)
            if stored is not None:
                return await replay(request, upload, claim, stored)
            with cyclic_gc_paused():
                protector = request.app.state.protector
                report = await loader(session, principal, settings, protector, upload)
            claim.request_hash = upload.digest.digest()
            response = JSONResponse(report.model_dump(mode="json"))
            await claim.store(session, request.app.state.keyring, response)
            await session.commit()
        except BaseException as error:
            # COPY and the loaders' array statements run on the driver, whose errors SQLAlchemy
            # never sees: a connection they found broken must not go back to the pool.
            await discard_if_broken(session, error)
            raise
    return response


@router.post(
    "/bulk/employment-spells",
    response_model=BulkReport,
    summary="Load employment spells in bulk (就业记录批量导入), NDJSON or CSV",
    description=(
        "CSV with a header line, or NDJSON (`application/x-ndjson`, one object a line). "
        "Columns: `labourer_id` or `person_number`, `employer`, `place_class`, `kind` "
        "(enterprise, assistance_workshop, self_employed), `start_date`, `end_date`, "
        "`monthly_wage`, `workshop_id`, `ref`. Valid rows are loaded, each other row is named "
        "in the report with its field and rule; the labourers' years and the figures are "
        "recounted in the same transaction."
    ),
    openapi_extra=upload_body(
        "person_number,employer,place_class,kind,start_date,end_date,monthly_wage\n"
        "411424198005170014,某电子厂,out_of_province,enterprise,2026-03-01,,4200.00\n"
    ),
)
async def load_spells(request: Request, principal: Recorder, _key: IdempotencyKey) -> Response:
    return await run_load(request, principal, spells.load_spells)


@router.post(
    "/bulk/loans",
    response_model=BulkReport,
    summary="Load loans in bulk (小额信贷批量导入), NDJSON or CSV, as waiting applications",
    description=(
        "CSV with a header line, or NDJSON (`application/x-ndjson`, one object a line). "
        "Columns: `person_number`, `borrower_name`, `bank`, `amount`, `term_months`, "
        "`annual_rate`, `interest_subsidy_rate`, `issue_date`, `ref`. Rows breaking the caps "
        "or the age rule are named in the report; loaded loans wait in `pending_eligibility` "
        "until `POST /loans/eligibility-checks` confirms their households."
    ),
    openapi_extra=upload_body(
        "person_number,borrower_name,bank,amount,term_months,annual_rate,"
        "interest_subsidy_rate,issue_date\n"
        "411424198005170014,王建国,柘城农商银行,30000.00,36,3.45,3.45,2026-03-01\n"
    ),
)
async def load_loans(request: Request, principal: Lender, _key: IdempotencyKey) -> Response:
    return await run_load(request, principal, loans.load_loans)
