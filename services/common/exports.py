"""Streamed exports (数据导出) of whole datasets for an area, as NDJSON or CSV.

Rows come from a server-side cursor in chunks (`yield_per`) inside a read snapshot of their own
(`services.common.streaming.read_snapshot`) and are encoded and sent chunk by chunk, so memory
stays flat whatever the size of the province. The endpoint checks the caller, the area and the
format and writes one audit row before the first byte; the body streams after the request's
unit of work has committed.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import uuid
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Iterable, Sequence
from contextlib import aclosing
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal, TypeAlias

from fastapi import Query, Request
from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from starlette.responses import Response

from services.common.audit import record_audit
from services.common.auth.principal import Principal
from services.common.auth.roles import Scope
from services.common.database import Database
from services.common.errors import NotFound
from services.common.fields import AreaCode
from services.common.streaming import ClosingStreamingResponse, read_snapshot

ExportFormat = Literal["ndjson", "csv"]
FormatQuery = Annotated[
    ExportFormat,
    Query(description="`ndjson` (one JSON object a line, the default) or `csv` (UTF-8, header)."),
]
AreaQuery = Annotated[
    AreaCode | None,
    Query(description="Area to export (导出区划); by default the caller's whole area."),
]
Record = dict[str, Any]
AnySelect: TypeAlias = Select[*tuple[Any, ...]]
# Opens the dataset's rows on the snapshot's connection and yields them as records.
RecordSource = Callable[[AsyncConnection], AsyncGenerator[Record, None]]

ROWS_PER_FETCH = 2000
CHUNK_BYTES = 64 * 1024
MEDIA_TYPES = {"ndjson": "application/x-ndjson", "csv": "text/csv; charset=utf-8"}
# For the OpenAPI document: an export answers a stream in either media type.
STREAMED_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/x-ndjson": {}, "text/csv": {}}}
}


@dataclasses.dataclass(frozen=True)
class ExportRequest:
    """Who exports which area, in which format, and whether personal data leaves in full."""

    scope: Principal  # the caller narrowed to the exported area
    area: str
    format: ExportFormat
    reveal: bool


def export_request(principal: Principal, area: str | None, format: ExportFormat) -> ExportRequest:
    """The caller's export of `area` (default: its own area); 404 when the area is not under
    the caller's, like any record out of scope."""
    area = area or principal.area
    if not principal.covers(area):
        raise NotFound(f"No area {area} in your jurisdiction.")
    return ExportRequest(
        scope=dataclasses.replace(principal, area=area),
        area=area,
        format=format,
        reveal=principal.has_scope(Scope.PERSONAL_DATA_REVEAL),
    )


async def audit_export(
    session: AsyncSession,
    principal: Principal,
    dataset: str,
    export: ExportRequest,
    *,
    revealed: bool = False,
) -> None:
    """One audit row for the whole export (not one per record); `revealed` says whether
    personal data left in full."""
    await record_audit(
        session,
        principal,
        action="export",
        entity=dataset,
        entity_id=export.area,
        area_code=export.area,
        details={"format": export.format, "revealed": revealed},
    )


def export_response(
    database: Database,
    dataset: str,
    export: ExportRequest,
    records: RecordSource,
    *,
    columns: Sequence[str],
    csv_rows: Callable[[Record], Iterable[Sequence[Any]]] | None = None,
) -> Response:
    """The streamed body of an export. `columns` head the CSV; `csv_rows` flattens one record
    into CSV rows (by default, one row of the record's values under `columns`)."""

    async def body() -> AsyncIterator[bytes]:
        async with (
            read_snapshot(database) as connection,
            aclosing(records(connection)) as source,
        ):
            lines: AsyncIterator[str]
            if export.format == "ndjson":
                lines = (_json_line(record) async for record in source)
            else:
                flatten = csv_rows or (lambda record: [[record[name] for name in columns]])
                lines = _csv_lines(columns, source, flatten)
            async for chunk in _chunked(lines):
                yield chunk

    extension = "ndjson" if export.format == "ndjson" else "csv"
    return ClosingStreamingResponse(
        body(),
        media_type=MEDIA_TYPES[export.format],
        headers={
            "Content-Disposition": f'attachment; filename="{dataset}-{export.area}.{extension}"'
        },
    )


async def flat_export(
    request: Request,
    session: AsyncSession,
    principal: Principal,
    dataset: str,
    query_for: Callable[[Principal], AnySelect],
    area: str | None,
    format: ExportFormat,
) -> Response:
    """The whole route of a flat dataset: each row of `query_for(scope)` is one record and one
    CSV row; audited once."""
    export = export_request(principal, area, format)
    await audit_export(session, principal, dataset, export)
    query = query_for(export.scope)
    return export_response(
        request.app.state.database,
        dataset,
        export,
        query_records(query),
        columns=columns_of(query),
    )


async def stream_rows(
    connection: AsyncConnection, query: AnySelect
) -> AsyncGenerator[dict[str, Any], None]:
    """The rows of `query` as mappings, fetched from a server-side cursor in chunks."""
    result = await connection.stream(query.execution_options(yield_per=ROWS_PER_FETCH))
    async for partition in result.mappings().partitions():
        for row in partition:
            yield dict(row)


def query_records(query: AnySelect) -> RecordSource:
    """A flat dataset: each row of `query` is one record."""

    def records(connection: AsyncConnection) -> AsyncGenerator[Record, None]:
        return stream_rows(connection, query)

    return records


def columns_of(query: AnySelect) -> list[str]:
    """The names of the query's columns, for a CSV header."""
    return [str(column.key) for column in query.selected_columns]


def plain(value: Any) -> Any:
    """A value as JSON has it: ids, dates and times as strings, money as a decimal string."""
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def _json_line(record: Record) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"), default=plain) + "\n"


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, default=plain)
    return plain(value)


async def _csv_lines(
    columns: Sequence[str],
    records: AsyncIterator[Record],
    flatten: Callable[[Record], Iterable[Sequence[Any]]],
) -> AsyncIterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    async for record in records:
        for row in flatten(record):
            writer.writerow([_cell(value) for value in row])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    # A dataset with no record still answers its header.
    yield buffer.getvalue()


async def _chunked(lines: AsyncIterator[str]) -> AsyncIterator[bytes]:
    """Lines gathered into chunks of about CHUNK_BYTES: fewer, larger writes to the socket."""
    parts: list[str] = []
    size = 0
    async for line in lines:
        parts.append(line)
        size += len(line)
        if size >= CHUNK_BYTES:
            yield "".join(parts).encode()
            parts, size = [], 0
    if parts:
        yield "".join(parts).encode()
