"""Cutting an upload into chunks never splits a record, however the bytes arrive."""

from __future__ import annotations

import csv
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from services.monitoring.imports.reading import ChunkCutter

FIELD = st.text(alphabet='ab,"\n\r 组号', max_size=8)
RECORDS = st.lists(st.lists(FIELD, min_size=1, max_size=4), min_size=1, max_size=30)


def as_csv(records: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(records)
    return out.getvalue().encode("utf-8")


def parse(data: bytes) -> list[list[str]]:
    """The records of a CSV text, without blank ones (the import skips those too)."""
    records = csv.reader(io.StringIO(data.decode("utf-8"), newline=""))
    return [record for record in records if "".join(record).strip() or len(record) > 1]


def cut(cutter: ChunkCutter, body: bytes, pieces: list[int]) -> list[bytes]:
    chunks, position = [], 0
    for size in pieces:
        chunks += cutter.feed(body[position : position + size])
        position += size
    chunks += cutter.feed(body[position:])
    return chunks + cutter.finish()


@settings(max_examples=200, deadline=None)
@given(
    records=RECORDS,
    pieces=st.lists(st.integers(1, 40), max_size=20),
    target=st.integers(1, 64),
    bom=st.booleans(),
)
def test_csv_chunks_hold_whole_records(
    records: list[list[str]], pieces: list[int], target: int, bom: bool
) -> None:
    header = [["household_number", "name"]]
    body = (b"\xef\xbb\xbf" if bom else b"") + as_csv(header + records)
    cutter = ChunkCutter(csv=True, target_bytes=target, longest_record=1 << 20)
    chunks = cut(cutter, body, pieces)
    assert cutter.header == as_csv(header)
    assert [record for chunk in chunks for record in parse(chunk)] == parse(as_csv(records))
    assert all(chunk for chunk in chunks)


@given(
    lines=st.lists(st.text(alphabet="{}ab:1 ", max_size=10), max_size=30),
    pieces=st.lists(st.integers(1, 30), max_size=20),
    target=st.integers(1, 64),
)
def test_ndjson_chunks_end_at_newlines(lines: list[str], pieces: list[int], target: int) -> None:
    body = "".join(line + "\n" for line in lines).encode()
    cutter = ChunkCutter(csv=False, target_bytes=target, longest_record=1 << 20)
    chunks = cut(cutter, body, pieces)
    assert b"".join(chunks).strip() == body.strip()
    assert all(chunk.endswith(b"\n") for chunk in chunks[:-1])
