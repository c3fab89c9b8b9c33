"""Reading figures: sums of the stored figures over code prefixes, plus the figures that depend
on today's date, counted from indexed rows at read time."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import and_, distinct, func, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from services.common.areas import scope_bounds
from services.common.closed_figures import VILLAGE_DAYS, monthly_sums, sums_as_of
from services.common.county_figures import current_sums, group_code, sums_by_area
from services.common.dated_figures import ALL_YEARS, MonthlyDelta
from services.employment.models import (
    AreaFigure,
    AssistanceWorkshop,
    CountyFigure,
    EmploymentSpell,
    Labourer,
    Loan,
    LoanInstallment,
    PublicWelfarePost,
)
from services.employment.spells.yearly import CARRIED


async def stored_figures(
    session: AsyncSession, area: str, depth: int, year: int, as_of: date | None = None
) -> list[tuple[str, str, Decimal]]:
    """(area code at the level, metric, value) for all-time and the year's figures under `area`:
    current, or as of the end of the day `as_of` (the sums of their dated deltas)."""
    if as_of is not None:
        dated = await sums_as_of(session, VILLAGE_DAYS, area, depth, [ALL_YEARS, year], as_of)
        return [(code, metric, value) for code, metric, value in dated]
    query = current_sums(AreaFigure, CountyFigure, area, depth, year)
    return [(code, metric, value) for code, metric, value in (await session.execute(query)).all()]


async def monthly_deltas(
    session: AsyncSession, area: str, years: list[int], until: date
) -> list[MonthlyDelta]:
    """(year, first day of the month, metric, sum of deltas) under `area` up to `until`, for
    all-time figures and the given years'."""
    return await monthly_sums(session, VILLAGE_DAYS, area, [ALL_YEARS, *years], until)


async def carried_open_jobs(
    session: AsyncSession, area: str, depth: int, year: int
) -> list[tuple[str, str, int]]:
    """Labourers employed in `year` only through a job open since an earlier year, with no
    stored row for `year` (spells/yearly.py): (area code at the level, place class, count).
    Stored under year -L, L the labourer's last year on record: those with L < `year`."""
    query = sums_by_area(
        AreaFigure, CountyFigure, area, depth, lambda column: column.between(1 - year, -1)
    )
    prefix = f"{CARRIED}:"
    return [
        (code, metric.removeprefix(prefix), int(count))
        for code, metric, count in (await session.execute(query)).all()
        if count
    ]


async def overdue_loans(
    session: AsyncSession, area: str, depth: int, today: date
) -> list[tuple[str, int, Decimal]]:
    """(area code at the level, loans behind schedule, overdue principal) as of `today`."""
    low, high = scope_bounds(area)
    outstanding = and_(Loan.area_code.between(low, high), Loan.status == "outstanding")
    # Only the loans that can be behind are read, each through a partial index (employment0005),
    # not every outstanding loan. A loan past its maturity has all its installments due, and
    # they add up to the amount lent: it owes what it has not repaid.
    matured = select(Loan.area_code, (Loan.amount - Loan.principal_repaid).label("overdue")).where(
        outstanding, Loan.maturity_date < today
    )
    # A loan still running can be behind only on an installment before the last, so only on a
    # schedule of two or more (the usual one is a single installment at maturity).
    second = aliased(LoanInstallment)
    running = (
        select(
            Loan.area_code,
            (func.sum(LoanInstallment.principal) - Loan.principal_repaid).label("overdue"),
        )
        .select_from(second)
        .join(Loan, Loan.id == second.loan_id)
        .join(
            LoanInstallment,
            and_(LoanInstallment.loan_id == Loan.id, LoanInstallment.due_date < today),
        )
        .where(second.seq == 2, outstanding, Loan.maturity_date >= today)
        .group_by(Loan.id, Loan.area_code, Loan.principal_repaid)
    )
    per_loan = union_all(matured, running).subquery()
    group = group_code(per_loan.c.area_code, depth).label("group_code")
    query = (
        select(group, func.count(), func.sum(per_loan.c.overdue))
        .where(per_loan.c.overdue > 0)
        .group_by(group)
    )
    return [(code, int(n), amount) for code, n, amount in (await session.execute(query)).all()]


async def workshop_workers(
    session: AsyncSession, area: str, depth: int, today: date
) -> list[tuple[str, int, int]]:
    """Per workshop under `area` (by the workshop's area): (area code at the level, workers,
    exited-poverty workers) working there today."""
    low, high = scope_bounds(area)
    query = (
        select(
            group_code(AssistanceWorkshop.area_code, depth),
            func.count(distinct(EmploymentSpell.labourer_id)),
            func.count(distinct(EmploymentSpell.labourer_id)).filter(
                Labourer.household_kind == "exited_poverty"
            ),
        )
        .join(
            EmploymentSpell,
            and_(
                EmploymentSpell.workshop_id == AssistanceWorkshop.id,
                EmploymentSpell.start_date <= today,
                or_(EmploymentSpell.end_date.is_(None), EmploymentSpell.end_date >= today),
            ),
        )
        .join(Labourer, Labourer.id == EmploymentSpell.labourer_id)
        .where(AssistanceWorkshop.area_code.between(low, high))
        .group_by(AssistanceWorkshop.id)
    )
    return [(code, int(n), int(m)) for code, n, m in (await session.execute(query)).all()]


async def post_holders(
    session: AsyncSession, area: str, depth: int, today: date
) -> list[tuple[str, int]]:
    """(area code at the level, people holding public-welfare posts today), by the post's area."""
    low, high = scope_bounds(area)
    group = group_code(PublicWelfarePost.area_code, depth).label("group_code")
    query = (
        select(group, func.count())
        .select_from(PublicWelfarePost)
        .join(EmploymentSpell, EmploymentSpell.post_id == PublicWelfarePost.id)
        .where(
            PublicWelfarePost.area_code.between(low, high),
            EmploymentSpell.start_date <= today,
            or_(EmploymentSpell.end_date.is_(None), EmploymentSpell.end_date >= today),
        )
        .group_by(group)
    )
    return [(code, int(n)) for code, n in (await session.execute(query)).all()]
