"""The per-row report of a bulk load."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from pydantic import BaseModel, Field


class RowProblem(BaseModel):
    """Why one row was not loaded."""

    row: int = Field(description="1-based number of the data row (header and blank lines skipped)")
    field: str
    rule: str
    message: str
    ref: str | None = Field(None, description="the row's own `ref`, if it had one")


class BulkReport(BaseModel):
    """What a bulk load did: every row is either loaded or named in `problems`."""

    import_id: uuid.UUID
    entity: str
    rows: int
    accepted: int
    rejected: int
    problems: list[RowProblem]
    problems_truncated: bool = Field(
        description="true when more rows were rejected than the report lists"
    )


@dataclass
class Problems:
    """Collects row problems up to a limit, counting every rejected row."""

    limit: int
    listed: list[RowProblem] = field(default_factory=list)
    rejected_rows: set[int] = field(default_factory=set)

    def add(self, problem: RowProblem) -> None:
        if problem.row in self.rejected_rows:
            return
        self.rejected_rows.add(problem.row)
        if len(self.listed) < self.limit:
            self.listed.append(problem)

    def report(self, import_id: uuid.UUID, entity: str, rows: int) -> BulkReport:
        rejected = len(self.rejected_rows)
        return BulkReport(
            import_id=import_id,
            entity=entity,
            rows=rows,
            accepted=rows - rejected,
            rejected=rejected,
            problems=sorted(self.listed, key=lambda problem: problem.row),
            problems_truncated=rejected > len(self.listed),
        )
