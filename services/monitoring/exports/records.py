"""Households as export records: members nested (NDJSON) or one CSV row per member; ID and
phone numbers masked, or decrypted when the export may reveal them."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Iterable, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from services.common.auth.principal import Principal
from services.common.exports import Record, stream_rows
from services.common.personal_data import Protector
from services.monitoring.exports import repository
from services.monitoring.households.circumstances import MEMBER_CIRCUMSTANCES

HOUSEHOLD_FIELDS = [
    "id",
    "household_number",
    "area_code",
    "kind",
    "head_name",
    "address",
    "phone",
    "monitoring_status",
    "monitoring_category",
    "risk_types",
    "identified_on",
    "eliminated_on",
    "member_count",
    "version",
    "created_at",
    "updated_at",
]
MEMBER_FIELDS = [
    "id",
    "person_number",
    "person_number_kind",
    "name",
    "sex",
    "birth_date",
    "relationship",
    *MEMBER_CIRCUMSTANCES,
    "version",
]
# CSV: one row per member, the household's columns repeated.
HOUSEHOLD_CSV_COLUMNS = HOUSEHOLD_FIELDS + [f"member_{name}" for name in MEMBER_FIELDS]


class HouseholdRecords:
    """Turns the stream of (household, member) rows into one record per household."""

    def __init__(self, scope: Principal, protector: Protector, *, reveal: bool) -> None:
        self.scope = scope
        self.protector = protector
        self.reveal = reveal

    async def __call__(self, connection: AsyncConnection) -> AsyncGenerator[Record, None]:
        query = repository.households_with_members(self.scope)
        household: Record | None = None
        async for row in stream_rows(connection, query):
            if household is None or household["id"] != row["id"]:
                if household is not None:
                    yield household
                household = self._household(row)
            if row["member_id"] is not None:
                household["members"].append(self._member(row))
        if household is not None:
            yield household

    def _household(self, row: dict[str, Any]) -> Record:
        phone = row["phone_masked"]
        if self.reveal and row["phone_cipher"] is not None:
            phone = self.protector.reveal_phone(row["phone_cipher"])
        record = {name: phone if name == "phone" else row[name] for name in HOUSEHOLD_FIELDS}
        record["members"] = []
        return record

    def _member(self, row: dict[str, Any]) -> Record:
        number = (
            self.protector.reveal_person_number(row["member_person_number_cipher"])
            if self.reveal
            else row["member_person_number_masked"]
        )
        return {
            name: number if name == "person_number" else row[f"member_{name}"]
            for name in MEMBER_FIELDS
        }


def household_csv_rows(record: Record) -> Iterable[Sequence[Any]]:
    """One CSV row per member; a household without active members still gets one row."""
    head = [record[name] for name in HOUSEHOLD_FIELDS]
    members = record["members"] or [dict.fromkeys(MEMBER_FIELDS)]
    return [head + [member[name] for name in MEMBER_FIELDS] for member in members]
