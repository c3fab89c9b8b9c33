"""Splitting bodies into records however the network cuts them."""

from __future__ import annotations

import json

import pytest

from services.common.errors import InvalidInput
from services.monitoring.feeds.formats import (
    UNREADABLE,
    CsvSplitter,
    JsonArraySplitter,
    NdjsonSplitter,
    Splitter,
)

CSV = (
    "\ufeffrecord_id,person_number,name,area_code,event_type,event_date,details\r\n"
    '1,X,"Zhang, Wei",411424105201,inpatient,2026-01-02,"line one\r\nline ""two"""\r\n'
    "\r\n"
    "2,Y,李娜,411424105201,inpatient,2026-01-03,\r\n"
)


def split(splitter: Splitter, body: bytes, size: int) -> list[str]:
    entries = []
    for start in range(0, len(body), size):
        entries.extend(splitter.feed(body[start : start + size]))
    return entries + splitter.finish()


@pytest.mark.parametrize("size", [1, 2, 3, 7, 1000])
def test_csv_rows_survive_any_cut(size: int) -> None:
    splitter = CsvSplitter(source_given=True)
    rows = [json.loads(entry) for entry in split(splitter, CSV.encode(), size)]
    assert splitter.header == [
        "record_id",
        "person_number",
        "name",
        "area_code",
        "event_type",
        "event_date",
        "details",
    ]
    assert rows[0][2] == "Zhang, Wei" and rows[0][6] == 'line one\r\nline "two"'
    assert rows[1][:3] == ["2", "Y", "李娜"]
    assert splitter.records == 2


@pytest.mark.parametrize("size", [1, 5, 1000])
def test_json_arrays_survive_any_cut(size: int) -> None:
    body = '[\n {"record_id": "1", "name": "张三"},\n {"record_id": 2},\n 12345 ]'.encode()
    splitter = JsonArraySplitter()
    entries = split(splitter, body, size)
    assert [json.loads(entry) for entry in entries] == [
        {"record_id": "1", "name": "张三"},
        {"record_id": 2},
        12345,
    ]
    assert all("\n" not in entry for entry in entries)


def test_ndjson_keeps_line_numbers() -> None:
    body = b'\xef\xbb\xbf{"a": 1}\r\n\n{"b": 2}\n\xff\n{"c": 3}'
    splitter = NdjsonSplitter()
    assert split(splitter, body, 4) == ['{"a": 1}', "", '{"b": 2}', UNREADABLE, '{"c": 3}']
    assert splitter.records == 4


@pytest.mark.parametrize(
    ("splitter", "body", "rule"),
    [
        (JsonArraySplitter(), b'[{"a": 1} {"b": 2}]', "json_malformed"),
        (JsonArraySplitter(), b'[{"a": 1},', "json_malformed"),
        (JsonArraySplitter(), b"[] []", "json_malformed"),
        (JsonArraySplitter(), b"\xff[]", "file_encoding"),
        (CsvSplitter(source_given=False), b"record_id,person_number\n", "columns_missing"),
        (CsvSplitter(source_given=True), b"a,a\n", "columns_duplicate"),
        (CsvSplitter(source_given=True), b"", "file_empty"),
    ],
)
def test_unreadable_files(splitter: Splitter, body: bytes, rule: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        split(splitter, body, 3)
    assert raised.value.fields is not None and raised.value.fields[0].rule == rule
