"""Every query of loans, scoped by the caller's area (the household rules ask across areas:
one outstanding loan per household and one waiting application per person, wherever)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, func, insert, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.auth.principal import Principal
from services.common.scope import in_scope
from services.employment.loans.schedule import Installment
from services.employment.models import Loan, LoanEvent, LoanInstallment, NewLoanHousehold

LoanKey = tuple[str, uuid.UUID]


async def get_loan(
    session: AsyncSession, principal: Principal, loan_id: uuid.UUID, *, for_update: bool = False
) -> Loan | None:
    query = select(Loan).where(Loan.id == loan_id, in_scope(Loan.area_code, principal))
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    return await session.scalar(query)


async def outstanding_loan_of(session: AsyncSession, household_id: uuid.UUID) -> uuid.UUID | None:
    query = select(Loan.id).where(Loan.household_id == household_id, Loan.status == "outstanding")
    return await session.scalar(query)


async def conflicts(
    session: AsyncSession, borrower_index: bytes, household_id: uuid.UUID | None
) -> list[tuple[uuid.UUID, str]]:
    """(id, status) of the borrower's waiting application and of the household's outstanding
    loan, whichever exist, in any area."""
    condition = and_(Loan.borrower_index == borrower_index, Loan.status == "pending_eligibility")
    if household_id is not None:
        condition = or_(
            condition, and_(Loan.household_id == household_id, Loan.status == "outstanding")
        )
    rows = (await session.execute(select(Loan.id, Loan.status).where(condition))).all()
    return [(row[0], row[1]) for row in rows]


async def pending_in_scope(session: AsyncSession, principal: Principal, limit: int) -> list[Loan]:
    """The oldest waiting applications in the area, locked; ones another check holds are
    skipped, so two batch checks never wait on each other."""
    query = (
        select(Loan)
        .where(in_scope(Loan.area_code, principal), Loan.status == "pending_eligibility")
        .order_by(Loan.created_at, Loan.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list((await session.scalars(query)).all())


async def list_loans(
    session: AsyncSession,
    principal: Principal,
    *,
    status: str | None,
    household_id: uuid.UUID | None,
    today: date,
    after: LoanKey | None,
    limit: int,
) -> list[Loan]:
    query = select(Loan).where(in_scope(Loan.area_code, principal))
    if status == "overdue":
        query = query.where(Loan.status == "outstanding", overdue_principal(today) > 0)
    elif status is not None:
        query = query.where(Loan.status == status)
    if household_id is not None:
        query = query.where(Loan.household_id == household_id)
    order = (Loan.area_code, Loan.id)
    if after is not None:
        query = query.where(func.row(*order) > func.row(*after))
    return list((await session.scalars(query.order_by(*order).limit(limit))).all())


def overdue_principal(today: date) -> ColumnElement[Any]:
    """SQL: the principal of `Loan` due before `today` and not repaid."""
    due = (
        select(func.coalesce(func.sum(LoanInstallment.principal), 0))
        .where(LoanInstallment.loan_id == Loan.id, LoanInstallment.due_date < today)
        .scalar_subquery()
    )
    return due - Loan.principal_repaid


async def schedules_of(
    session: AsyncSession, loan_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Installment]]:
    if not loan_ids:
        return {}
    query = (
        select(LoanInstallment)
        .where(LoanInstallment.loan_id.in_(loan_ids))
        .order_by(LoanInstallment.loan_id, LoanInstallment.seq)
    )
    schedules: dict[uuid.UUID, list[Installment]] = {loan_id: [] for loan_id in loan_ids}
    for row in (await session.scalars(query)).all():
        schedules[row.loan_id].append(Installment(row.due_date, row.principal))
    return schedules


async def replace_schedule(
    session: AsyncSession, loan_id: uuid.UUID, schedule: Sequence[Installment]
) -> None:
    await session.execute(delete(LoanInstallment).where(LoanInstallment.loan_id == loan_id))
    await session.execute(
        insert(LoanInstallment),
        [
            {"loan_id": loan_id, "seq": seq, "due_date": i.due_date, "principal": i.principal}
            for seq, i in enumerate(schedule, start=1)
        ],
    )


async def events_of(session: AsyncSession, loan_id: uuid.UUID) -> list[LoanEvent]:
    query = select(LoanEvent).where(LoanEvent.loan_id == loan_id).order_by(LoanEvent.id)
    return list((await session.scalars(query)).all())


async def mark_new_loan_household(
    session: AsyncSession, household_id: uuid.UUID, year: int, area_code: str
) -> bool:
    """Note that the household got a new loan in `year`; False if it had one that year already."""
    statement = (
        pg_insert(NewLoanHousehold)
        .values(household_id=household_id, year=year, area_code=area_code)
        .on_conflict_do_nothing()
        .returning(NewLoanHousehold.household_id)
    )
    return (await session.scalar(statement)) is not None
