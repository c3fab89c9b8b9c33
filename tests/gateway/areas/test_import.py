"""CSV import of townships and villages: the per-row report, re-imports, and the file's caps."""

from __future__ import annotations

from fastapi import FastAPI
from httpx import AsyncClient, Response
from sqlalchemy import func, select

from services.common.tables import audit_log, changes
from tests.gateway.areas.support import (
    AREAS,
    idempotent,
    problem,
    unique_county_admin,
    written_here,
)
from tests.support.identities import TokenFactory

IMPORT = f"{AREAS}/import"

MIXED = "\r\n".join(
    [
        "code,name,parent_code",
        "411424105000,慈圣镇,",
        "411424105201,前进村,411424105000",
        "411424105202, 胜利村 ",
        "411424106201,无主村,",
        "411422101000,白庙乡,",
        "411424107000,,",
        "41142410800,某镇,",
        "411424109000,某镇,411400000000",
        "411424000000,柘城县,",
        "",
        "411424105000,慈圣乡,",
        "411424105201,前进村,411424105000",
        "411424110000,多余,,extra",
    ]
)
MIXED_REJECTED = [
    {"row": 4, "field": "parent_code", "rule": "parent_unknown"},
    {"row": 5, "field": "code", "rule": "area_out_of_scope"},
    {"row": 6, "field": "name", "rule": "string_too_short"},
    {"row": 7, "field": "code", "rule": "code_format"},
    {"row": 8, "field": "parent_code", "rule": "parent_mismatch"},
    {"row": 9, "field": "code", "rule": "level_not_allowed"},
    {"row": 10, "field": "code", "rule": "area_exists"},
    {"row": 12, "field": "row", "rule": "too_many_cells"},
]


async def upload(
    gateway: AsyncClient, headers: dict[str, str], content: bytes, name: str = "areas.csv"
) -> Response:
    return await gateway.post(
        IMPORT, files={"file": (name, content, "text/csv")}, headers=idempotent(headers)
    )


def without_messages(report: dict[str, object]) -> list[dict[str, object]]:
    rejected = report["rejected"]
    assert isinstance(rejected, list)
    assert all(item["message"] for item in rejected)
    return [{key: item[key] for key in ("row", "field", "rule")} for item in rejected]


async def test_a_mixed_file_then_the_same_file_again(
    gateway: AsyncClient, tokens: TokenFactory, apps: dict[str, FastAPI]
) -> None:
    admin, subject = unique_county_admin(tokens)
    content = b"\xef\xbb\xbf" + MIXED.encode()  # with the BOM spreadsheet programs write

    first = await upload(gateway, admin, content)
    assert first.status_code == 200, first.text
    report = first.json()
    assert (report["received"], report["created"], report["unchanged"]) == (12, 3, 1)
    assert without_messages(report) == MIXED_REJECTED

    village = (await gateway.get(f"{AREAS}/411424105202", headers=admin)).json()
    assert village["name"] == "胜利村" and village["parent_code"] == "411424105000"
    assert village["level"] == "village" and village["version"] == 1

    again = (await upload(gateway, admin, content)).json()
    assert (again["received"], again["created"], again["unchanged"]) == (12, 0, 4)
    assert without_messages(again) == MIXED_REJECTED

    async with apps["gateway"].state.database.sessionmaker() as session:
        created = (
            await session.scalars(
                select(changes.c.entity_id)
                .where(written_here(), changes.c.operation == "create")
                .order_by(changes.c.seq)
            )
        ).all()
        audit = (
            await session.scalars(
                select(audit_log.c.details)
                .where(audit_log.c.actor == subject, audit_log.c.action == "import")
                .order_by(audit_log.c.id)
            )
        ).all()
    assert created == ["411424105000", "411424105201", "411424105202"]
    assert audit == [
        {"received": 12, "created": 3, "unchanged": 1, "rejected": 8},
        {"received": 12, "created": 0, "unchanged": 4, "rejected": 8},
    ]


async def test_re_importing_a_clean_file_changes_nothing(
    gateway: AsyncClient, tokens: TokenFactory
) -> None:
    content = "code,name\n411424105000,慈圣镇\n411424105201,前进村\n411424105202,胜利村\n".encode()
    admin = tokens.county_admin()
    first = (await upload(gateway, admin, content)).json()
    assert (first["created"], first["unchanged"], first["rejected"]) == (3, 0, [])
    second = (await upload(gateway, admin, content)).json()
    assert (second["received"], second["created"], second["unchanged"]) == (3, 0, 3)
    assert second["rejected"] == []
    listed = await gateway.get(AREAS, params={"parent": "411424105000"}, headers=admin)
    assert [item["version"] for item in listed.json()["items"]] == [1, 1]


async def test_a_file_at_the_row_cap_goes_in_as_one_bulk_write(
    gateway: AsyncClient, tokens: TokenFactory
) -> None:
    lines = ["code,name,parent_code"]
    for township in range(100, 150):
        lines.append(f"411424{township}000,镇{township},")
        lines.extend(f"411424{township}{village:03d},村{village}," for village in range(1, 1000))
    lines = lines[: 50_000 + 1]
    report = await upload(gateway, tokens.county_admin(), "\n".join(lines).encode())
    assert report.status_code == 200, report.text
    body = report.json()
    assert (body["received"], body["created"], body["rejected"]) == (50_000, 50_000, [])


async def test_a_file_over_the_row_cap(gateway: AsyncClient, tokens: TokenFactory) -> None:
    rows = "\n".join(f"411424105{number % 1000:03d},村{number}" for number in range(50_001))
    answer = await upload(gateway, tokens.county_admin(), f"code,name\n{rows}\n".encode())
    body = problem(answer, 422, "validation_failed", "too_many_rows")
    assert body["fields"][0]["field"] == "body.file"


async def test_a_file_over_the_size_cap(gateway: AsyncClient, tokens: TokenFactory) -> None:
    content = b"code,name\n" + b"#" * (10 * 1024 * 1024)
    answer = await upload(gateway, tokens.county_admin(), content)
    problem(answer, 422, "validation_failed", "file_too_large")


async def test_whole_file_problems(gateway: AsyncClient, tokens: TokenFactory) -> None:
    cases = [
        (b"", "file_empty"),
        ("code,名称\n411424105000,慈圣镇\n".encode(), "columns_unknown"),
        (b"code,parent_code\n411424105000,411424000000\n", "columns_missing"),
        (b"code,name,code\n", "columns_duplicate"),
        ("code,name\n411424105000,慈圣镇\n".encode("gbk"), "file_encoding"),
    ]
    for content, rule in cases:
        answer = await upload(gateway, tokens.county_admin(), content)
        problem(answer, 422, "validation_failed", rule)
    no_file = await gateway.post(
        IMPORT,
        data={"other": "x"},
        files={"other": ("a", b"")},
        headers=idempotent(tokens.county_admin()),
    )
    assert problem(no_file, 422, "validation_failed")["fields"][0]["field"] == "body.file"


async def test_only_managers_import(
    gateway: AsyncClient, tokens: TokenFactory, apps: dict[str, FastAPI]
) -> None:
    answer = await upload(
        gateway, tokens.village_officer(), "code,name\n411424105000,慈圣镇\n".encode()
    )
    problem(answer, 403, "role_not_allowed")
    async with apps["gateway"].state.database.sessionmaker() as session:
        count = await session.scalar(
            select(func.count()).select_from(changes).where(written_here())
        )
    assert count == 0
