"""The rules on a loan's terms, checked before anyone is asked about the household: amount and
term within the caps, the county's interest subsidy within the rate, a borrower aged 18 to 65
on the issue date (by the birth date in the ID number), a schedule that adds up."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from services.common.errors import InvalidInput
from services.employment.loans import schedule as schedules
from services.employment.loans.schedule import Installment
from services.employment.registry.eligibility import age_on
from services.employment.settings import EmploymentSettings
from services.employment.shared import add_months


def check_amount(settings: EmploymentSettings, amount: Decimal, field: str = "body.amount") -> None:
    if amount > settings.loan_max_amount:
        raise InvalidInput.for_field(
            field,
            "loan_amount_over_cap",
            f"A microcredit loan is at most {settings.loan_max_amount:.2f} yuan.",
        )


def check_term(settings: EmploymentSettings, months: int, field: str = "body.term_months") -> None:
    if months > settings.loan_max_term_months:
        raise InvalidInput.for_field(
            field,
            "loan_term_over_cap",
            f"A microcredit loan runs at most {settings.loan_max_term_months} months.",
        )


def check_rates(rate: Decimal, subsidy_rate: Decimal) -> None:
    if subsidy_rate > rate:
        raise InvalidInput.for_field(
            "body.interest_subsidy_rate",
            "interest_subsidy_above_rate",
            "The interest subsidy cannot exceed the loan's rate.",
        )


def check_borrower_age(
    settings: EmploymentSettings, birth_date: date, issue_date: date, field: str
) -> None:
    age = age_on(birth_date, issue_date)
    low, high = settings.loan_borrower_age_min, settings.loan_borrower_age_max
    if not low <= age <= high:
        raise InvalidInput.for_field(
            field,
            "borrower_age",
            f"Borrowers are {low} to {high} years old on the issue date; this one is {age}.",
        )


def planned_schedule(
    amount: Decimal,
    issue_date: date,
    term_months: int,
    given: Sequence[Installment] | None,
) -> tuple[date, list[Installment]]:
    """The maturity date and the schedule: the given one, checked, or all at maturity."""
    maturity = add_months(issue_date, term_months)
    if given is None:
        return maturity, schedules.bullet(amount, maturity)
    schedules.check_schedule(given, amount, issue_date, maturity)
    return maturity, list(given)
