"""Columns of the funds tables the benchmarks COPY into (no side effects: safe to import from
benchmarks with their own database prefix)."""

from __future__ import annotations

PROJECT_COLUMNS = [
    "id",
    "area_code",
    "county_code",
    "year",
    "name",
    "category",
    "responsible_unit",
    "planned_start",
    "planned_end",
    "planned_amount",
    "beneficiary_households",
    "beneficiary_people",
    "status",
    "proposed_by",
    "version",
]
LINK_COLUMNS = [
    "id",
    "allocation_id",
    "project_id",
    "area_code",
    "county_code",
    "year",
    "category",
    "amount",
    "kind",
    "linked_on",
    "reversed",
    "paid",
    "created_by",
    "version",
]
