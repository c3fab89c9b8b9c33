"""Settings of the employment service (prefix EMPLOYMENT_ for its own fields).

The policy figures (caps, amounts, periods) are settings for now, each documented in the
README; they are per-province decisions and are meant to become data later.
"""

from __future__ import annotations

import json
import os
from decimal import Decimal

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from services.common.areas import InvalidAreaCode, significant_prefix
from services.common.settings import CommonSettings

DAYS_PER_MONTH = 30


class EmploymentSettings(CommonSettings):
    model_config = SettingsConfigDict(env_prefix="EMPLOYMENT_", env_file=".env", extra="ignore")

    # The monitoring service, asked about people and households (eligibility).
    monitoring_url: str = "http://127.0.0.1:8001"
    monitoring_connect_timeout: float = Field(1.0, gt=0)
    monitoring_timeout: float = Field(3.0, gt=0)
    # Questions in flight at once when a batch of waiting loan applications is checked again.
    eligibility_check_concurrency: int = Field(8, ge=1, le=64)

    # Labourers (劳动力): working age, in whole years on the day of registration.
    working_age_min: int = Field(16, ge=14, le=30)
    working_age_max: int = Field(60, ge=40, le=75)
    # Employed in a year: spells covering at least this many months (of 30 days) of the year.
    employed_min_months: int = Field(3, ge=1, le=12)

    # Public-welfare posts (公益性岗位).
    minimum_wage: Decimal = Field(Decimal("2000.00"), gt=0, decimal_places=2)
    minimum_wages: str = "{}"
    post_contract_max_months: int = Field(12, ge=1, le=36)

    # Assistance workshops (帮扶车间).
    workshop_min_exited_poverty_workers: int = Field(5, ge=1, le=1000)

    # Subsidies (补贴).
    transport_subsidy_amount: Decimal = Field(Decimal("500.00"), gt=0, decimal_places=2)
    transport_subsidy_min_months: int = Field(3, ge=1, le=12)
    study_subsidy_amount: Decimal = Field(Decimal("3000.00"), gt=0, decimal_places=2)

    # Microcredit (脱贫人口小额信贷).
    loan_max_amount: Decimal = Field(Decimal("50000.00"), gt=0, decimal_places=2)
    loan_max_term_months: int = Field(36, ge=1, le=120)
    loan_borrower_age_min: int = Field(18, ge=16, le=30)
    loan_borrower_age_max: int = Field(65, ge=40, le=80)
    loan_extension_max_months: int = Field(12, ge=0, le=36)

    # Bulk imports.
    bulk_max_rows: int = Field(1_000_000, ge=1)
    bulk_max_bytes: int = Field(1024 * 1024 * 1024, ge=1024)
    bulk_max_reported_problems: int = Field(10_000, ge=1)
    # Loan files from this size (or of unknown size) are checked in worker processes, as many as
    # the machine has cores; smaller ones in a thread (starting the processes costs a second).
    bulk_process_from_bytes: int = Field(4 * 1024 * 1024, ge=0)
    bulk_workers: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1, le=64)

    @field_validator("minimum_wages")
    @classmethod
    def _minimum_wages_by_area(cls, value: str) -> str:
        parse_minimum_wages(value)
        return value

    def employed_min_days(self) -> int:
        return self.employed_min_months * DAYS_PER_MONTH

    def minimum_wage_for(self, area_code: str) -> Decimal:
        """The local minimum monthly wage: the most specific area of `minimum_wages` that
        contains `area_code`, else `minimum_wage`."""
        best: tuple[int, Decimal] | None = None
        for prefix, wage in parse_minimum_wages(self.minimum_wages).items():
            if area_code.startswith(prefix) and (best is None or len(prefix) > best[0]):
                best = (len(prefix), wage)
        return best[1] if best else self.minimum_wage


def parse_minimum_wages(value: str) -> dict[str, Decimal]:
    """`{"410000000000": "2000.00", "411424000000": "1800.00"}` as significant prefixes."""
    try:
        raw = json.loads(value)
        if not isinstance(raw, dict):
            raise ValueError("not an object")
        return {significant_prefix(code): Decimal(str(wage)) for code, wage in raw.items()}
    except (ValueError, InvalidAreaCode, ArithmeticError) as exc:
        raise ValueError(
            "EMPLOYMENT_MINIMUM_WAGES must be a JSON object of area code to monthly wage"
        ) from exc
