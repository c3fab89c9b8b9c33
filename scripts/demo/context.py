"""What the phases share: the API, the options, the province's plan and the accounts."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from scripts.demo.api import Api, Identity
from scripts.demo.options import Options
from scripts.demo.people import County, Household
from scripts.demo.progress import Progress
from scripts.demo.report import Report


@dataclass
class Demo:
    api: Api
    options: Options
    admin: Identity
    today: datetime.date
    counties: list[County] = field(default_factory=list)
    households: dict[str, list[Household]] = field(default_factory=dict)  # by county code
    household_ids: dict[str, str] = field(default_factory=dict)  # household number -> id
    accounts: dict[tuple[str, str], Identity] = field(default_factory=dict)  # (role, area)
    report: Report = field(default_factory=Report)

    @property
    def seed(self) -> int:
        return self.options.seed

    def progress(self, label: str, total: int) -> Progress:
        return Progress(label, total, enabled=self.options.progress)

    def account(self, role: str, area: str) -> Identity:
        """The demo account of `role` for the county or township holding `area`."""
        length = {"village_officer": 9, "township_reviewer": 9}.get(role, 6)
        return self.accounts[(role, area[:length])]

    def all_households(self) -> list[Household]:
        return [one for county in self.counties for one in self.households[county.code]]
