"""When a monitored household's risk may be eliminated (风险消除条件).

Every rule is checked and every unmet one named, so the officer sees at once all that still
stands in the way; the facts read are kept with the case for the reviewers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.errors import FieldProblem, InvalidInput
from services.monitoring.cases import repository
from services.monitoring.cases.periods import MONITORED_MONTHS_BEFORE_ELIMINATION, months_before
from services.monitoring.models import Household

# Labour abilities that count as able to work; households with nobody able are not eliminated.
ABLE_TO_WORK = ("ordinary", "skilled", "weak")


@dataclass
class RuleReport:
    """The unmet rules, and the facts (JSON-ready) the rules were decided on."""

    unmet: list[FieldProblem] = field(default_factory=list)
    facts: dict[str, object] = field(default_factory=dict)

    def fail(self, field_name: str, rule: str, message: str) -> None:
        self.unmet.append(FieldProblem(field=field_name, rule=rule, message=message))


async def check_elimination_rules(
    session: AsyncSession,
    household: Household,
    *,
    large_costs_resolved: bool,
    guarantees_secure: bool,
    today: date,
) -> dict[str, object]:
    """The facts the rules were decided on; 422 `elimination_rules_unmet` naming every unmet
    rule otherwise."""
    report = RuleReport()
    await _monitored_six_months(session, household, today, report)
    await _has_measure(session, household, report)
    await _income_above_line(session, household, today, report)
    await _someone_able_to_work(session, household, report)
    if not large_costs_resolved:
        report.fail(
            "body.large_costs_resolved",
            "large_costs_resolved",
            "The household's large costs are not resolved.",
        )
    if not guarantees_secure:
        report.fail(
            "body.guarantees_secure",
            "guarantees_secure",
            "The guarantees and drinking water are not secure.",
        )
    if report.unmet:
        raise InvalidInput(
            "The household does not meet the rules of risk elimination: "
            + ", ".join(problem.rule for problem in report.unmet),
            code="elimination_rules_unmet",
            fields=report.unmet,
            extra={"facts": report.facts},
        )
    return report.facts


async def _monitored_six_months(
    session: AsyncSession, household: Household, today: date, report: RuleReport
) -> None:
    # A reversed elimination starts the half year again: monitoring has to be continuous.
    reversed_on = await repository.last_reversal_on(session, household.id)
    starts = [day for day in (household.identified_on, reversed_on) if day is not None]
    since = max(starts) if starts else None
    report.facts["monitored_since"] = since.isoformat() if since else None
    if since is None or since > months_before(today, MONITORED_MONTHS_BEFORE_ELIMINATION):
        report.fail(
            "household.identified_on",
            "monitored_six_months",
            f"The household has not been monitored for {MONITORED_MONTHS_BEFORE_ELIMINATION} "
            "months.",
        )


async def _has_measure(session: AsyncSession, household: Household, report: RuleReport) -> None:
    if not await repository.has_help_measure(session, household.id):
        report.fail(
            "household.help_measures", "has_measure", "The household has received no measure."
        )


async def _income_above_line(
    session: AsyncSession, household: Household, today: date, report: RuleReport
) -> None:
    """This year's income, or last year's while this year's is not recorded, above this year's
    monitoring line (当年监测标准): the line rises, so last year's income is judged by it too."""
    income = await repository.latest_income(session, household.id, (today.year, today.year - 1))
    province = household.area_code[:2] + "0" * 10
    line = await repository.monitoring_line(session, province, today.year) if income else None
    report.facts["income_year"] = income.year if income else None
    report.facts["per_capita_net"] = str(income.per_capita_net) if income else None
    report.facts["monitoring_line"] = str(line.amount) if line else None
    if income is None:
        message = f"No income is recorded for {today.year} or {today.year - 1}."
    elif line is None:
        message = f"No monitoring line is set for province {province} in {today.year}."
    elif income.per_capita_net <= line.amount:
        message = (
            f"Per-capita net income {income.per_capita_net} in {income.year} is not above "
            f"the monitoring line {line.amount} of {today.year}."
        )
    else:
        return
    report.fail("household.income", "income_above_line", message)


async def _someone_able_to_work(
    session: AsyncSession, household: Household, report: RuleReport
) -> None:
    able = await repository.count_members_able_to_work(session, household.id, ABLE_TO_WORK)
    report.facts["members_able_to_work"] = able
    if able == 0:
        report.fail(
            "household.members",
            "someone_able_to_work",
            "Nobody in the household is able to work.",
        )
