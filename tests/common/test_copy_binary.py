"""Values encoded for binary COPY by our own encoders arrive in PostgreSQL as the same values
(numeric's base-10,000 digits, weight and display scale are easy to get subtly wrong)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from services.common import copy_binary as encode
from services.common.driver import driver_connection

NUMBERS = [
    "0",
    "0.00",
    "1",
    "-1",
    "10000",
    "9999.9999",
    "12345.6",
    "0.001",
    "0.125",
    "-3.450",
    "50000.00",
    "123456789012.34",
    "100000000",
    "0.00010",
    "1E+5",
    "20000.50",
]


@pytest.mark.parametrize("written", NUMBERS)
async def test_numeric_values_arrive_with_their_scale(
    engines: dict[str, AsyncEngine], written: str
) -> None:
    value = Decimal(written)
    async with async_sessionmaker(engines["employment"])() as session:
        driver = await driver_connection(session)
        await driver.execute("CREATE TEMP TABLE numbers (value numeric, day date, n smallint)")
        row = encode.field_count(3) + encode.numeric(value)
        row += encode.date(datetime.date(1999, 12, 31)) + encode.smallint(-7)
        await encode.copy_rows(driver, "numbers", ("value", "day", "n"), [row])
        stored = await driver.fetchrow("SELECT value, value::text AS shown, day, n FROM numbers")
        await session.rollback()
    assert stored["value"] == value
    # PostgreSQL shows a numeric with its display scale: the written one (none for 1E+5).
    assert stored["shown"] == (f"{value:f}" if value.as_tuple().exponent <= 0 else "100000")
    assert (stored["day"], stored["n"]) == (datetime.date(1999, 12, 31), -7)
