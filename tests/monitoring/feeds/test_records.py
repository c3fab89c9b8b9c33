"""Reading a staged line's JSON: the scanner shortcut answers exactly like json.loads, value or
error."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from services.monitoring.feeds.records import _json_value

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=8,
)
NOISE = st.sampled_from(["", " ", "\t", ",", "x", "}", "]", "{", "[", '"', "\ufeff", "1", "NaN"])


def outcome(decode: Any, text: str) -> tuple[str, Any]:
    try:
        value = decode(text)
    except json.JSONDecodeError as error:
        return "error", (error.msg, error.pos)
    return "value", json.dumps(value, sort_keys=True)  # NaN too, as "NaN"


@given(JSON_VALUES, NOISE, NOISE)
def test_lines_read_like_json_loads(value: Any, before: str, after: str) -> None:
    text = before + json.dumps(value, ensure_ascii=False) + after
    assert outcome(_json_value, text) == outcome(json.loads, text)


@given(st.text(max_size=30))
def test_any_text_reads_like_json_loads(text: str) -> None:
    assert outcome(_json_value, text) == outcome(json.loads, text)
