"""The report an import answers with."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, Field


class RejectedRow(BaseModel):
    """One rejected data row (1-based, the CSV header not counted) and the rule it broke."""

    row: int
    field: str
    rule: str
    message: str


class ImportReport(BaseModel):
    """What the import did with every row: each received row was created, found unchanged or
    rejected (`members_created + unchanged + rejected_count == received`)."""

    import_id: uuid.UUID = Field(description="Id of the import in the audit log.")
    received: int = Field(description="Data rows received (blank lines not counted).")
    households_created: int
    members_created: int
    unchanged: int = Field(description="Rows of people already members of that household.")
    rejected_count: int
    rejected: list[RejectedRow] = Field(
        description="The first 1,000 rejected rows in row order; `rejected_count` counts all."
    )
    ignored_columns: list[str] = Field(
        default_factory=list, description="CSV columns the import does not know (ignored)."
    )
