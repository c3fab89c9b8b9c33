"""The NDJSON fast path reads every line as `json.loads` does: the same value, or an error."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from services.employment.bulk.streaming import _json_value

SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text()
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)


def outcome(read: Any, line: bytes) -> tuple[str, Any]:
    try:
        return "value", json.dumps(read(line), sort_keys=True)
    except (ValueError, UnicodeDecodeError):
        return "error", None


def test_usual_lines() -> None:
    assert _json_value(b'{"a": "\xe6\x9f\x98\xe5\x9f\x8e", "b": 1}\r') == {"a": "柘城", "b": 1}
    for line in (b'{"a": 1} x', b'{"a": 1}{"b": 2}', b'{"a": 1', b'{"a": "\xff"}'):
        assert outcome(_json_value, line) == ("error", None)


@given(VALUES, st.sampled_from(["", " ", "\r", "\t \r", " x", "}", ",{}"]))
def test_objects_and_other_values_read_as_json_loads_reads_them(value: Any, tail: str) -> None:
    line = (json.dumps(value, ensure_ascii=False) + tail).encode()
    assert outcome(_json_value, line) == outcome(json.loads, line)


@given(st.binary(max_size=40))
def test_any_bytes_read_as_json_loads_reads_them(tail: bytes) -> None:
    for line in (tail, b"{" + tail, b'{"a":' + tail):
        assert outcome(_json_value, line) == outcome(json.loads, line)
