"""A loan's principal schedule (还款计划) and what is overdue on it, as plain arithmetic.

Repayments pay installments in due-date order. On a given day, the overdue amount is the
principal due before that day minus what has been repaid (never below zero); the overdue days
count from the due date of the oldest installment not fully paid.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from services.common.errors import InvalidInput

MAX_INSTALLMENTS = 120
ZERO = Decimal(0)


@dataclass(frozen=True)
class Installment:
    due_date: date
    principal: Decimal


@dataclass(frozen=True)
class Overdue:
    amount: Decimal
    days: int


def bullet(amount: Decimal, maturity: date) -> list[Installment]:
    """The usual schedule: the whole principal at maturity (到期一次性还本)."""
    return [Installment(maturity, amount)]


def check_schedule(
    schedule: Sequence[Installment], amount: Decimal, issue_date: date, maturity: date
) -> None:
    """Due dates strictly increasing after the issue date, the last on the maturity date, the
    principal adding up to the amount lent."""
    if not schedule or len(schedule) > MAX_INSTALLMENTS:
        raise InvalidInput.for_field(
            "body.schedule",
            "schedule_size",
            f"A schedule has 1 to {MAX_INSTALLMENTS} installments.",
        )
    previous = issue_date
    for position, installment in enumerate(schedule):
        if installment.due_date <= previous:
            raise InvalidInput.for_field(
                f"body.schedule.{position}.due_date",
                "schedule_dates",
                "Due dates come after the issue date, each after the one before.",
            )
        if installment.principal <= 0:
            raise InvalidInput.for_field(
                f"body.schedule.{position}.principal",
                "schedule_principal",
                "Each installment repays some principal.",
            )
        previous = installment.due_date
    if schedule[-1].due_date != maturity:
        raise InvalidInput.for_field(
            "body.schedule",
            "schedule_maturity",
            f"The last installment falls due at maturity, {maturity}.",
        )
    if sum((i.principal for i in schedule), ZERO) != amount:
        raise InvalidInput.for_field(
            "body.schedule", "schedule_total", "The installments add up to the amount lent."
        )


def overdue(schedule: Sequence[Installment], repaid: Decimal, today: date) -> Overdue:
    due = sum((i.principal for i in schedule if i.due_date < today), ZERO)
    amount = max(ZERO, due - repaid)
    if amount == 0:
        return Overdue(ZERO, 0)
    covered = repaid
    for installment in sorted(schedule, key=lambda i: i.due_date):
        if covered >= installment.principal:
            covered -= installment.principal
            continue
        return Overdue(amount, (today - installment.due_date).days)
    return Overdue(amount, 0)


def extended(
    schedule: Sequence[Installment], amount: Decimal, repaid: Decimal, maturity: date
) -> list[Installment]:
    """An extension (展期): installments already paid in full stay; the rest of the principal
    falls due at the new maturity."""
    kept: list[Installment] = []
    covered = repaid
    for installment in sorted(schedule, key=lambda i: i.due_date):
        if covered < installment.principal:
            break
        covered -= installment.principal
        kept.append(installment)
    rest = amount - sum((i.principal for i in kept), ZERO)
    return [*kept, Installment(maturity, rest)] if rest > 0 else kept
