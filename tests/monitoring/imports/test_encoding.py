"""The encoded rows the import COPYs: a household row made without a head is completed later,
and ids come with their text form."""

from __future__ import annotations

import uuid

import pytest

from services.common.copy_binary import text
from services.monitoring.imports import encoding
from services.monitoring.imports.ids import UuidSeven


@pytest.mark.parametrize("phone", [None, (b"cipher", b"i" * 32, "138****5678")])
@pytest.mark.parametrize("address", [None, "三组12号"])
def test_a_household_row_gets_its_head_and_member_count_later(
    phone: tuple[bytes, bytes, str] | None, address: str | None
) -> None:
    household_id = uuid.uuid4().bytes
    area, kind = text("411424101201"), text("ordinary")
    without_head = encoding.household_row(household_id, "H-1", area, kind, None, address, phone, 2)
    assert encoding.with_head(without_head, "张三", 5) == encoding.household_row(
        household_id, "H-1", area, kind, "张三", address, phone, 5
    )


def test_ids_are_version_7_in_order_with_their_text() -> None:
    ids = UuidSeven()
    made = [ids.next_with_text() for _ in range(10_000)]  # over two blocks of 4,096
    for value, shown in made[:2] + made[4095:4097]:
        parsed = uuid.UUID(bytes=value)
        assert (parsed.version, parsed.variant) == (7, uuid.RFC_4122)
        assert str(parsed).encode("ascii") == shown
    values = [value for value, _ in made]
    assert values == sorted(values) and len(set(values)) == len(values)
