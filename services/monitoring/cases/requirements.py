"""What a request must carry: the fields of each procedure when a case is opened, and the data
of each step when it is taken. Pure checks; the rules on stored data are in `rules.py` and
`service.py`."""

from __future__ import annotations

from datetime import date

from services.common.errors import FieldProblem, InvalidInput
from services.monitoring.cases.periods import notice_ends_on
from services.monitoring.cases.schemas import CaseOpen, CaseStepAction
from services.monitoring.cases.transitions import Action, Procedure, Step
from services.monitoring.codes.book import CodeBook
from services.monitoring.models import Case

# Fields each procedure needs when a case is opened; the others' fields are refused.
OPENING_FIELDS: dict[Procedure, tuple[str, ...]] = {
    Procedure.IDENTIFICATION: ("source", "proposed_category", "proposed_risk_types"),
    Procedure.ELIMINATION: ("elimination_kind", "large_costs_resolved", "guarantees_secure"),
}
# Fields an elimination may carry beyond its own (its risk types default to the household's).
SHARED_FIELDS = ("proposed_risk_types",)

# Data each step takes; anything else sent with a step is refused rather than lost.
STEP_DATA: dict[Step, frozenset[str]] = {
    Step.HOME_VERIFICATION: frozenset({"consent_signed"}),
    Step.VILLAGE_REVIEW: frozenset({"notice_started_on", "objections"}),
}
ALL_STEP_DATA = frozenset().union(*STEP_DATA.values())


def check_opening(data: CaseOpen, book: CodeBook) -> None:
    """422 naming every missing or foreign field, then any unknown code."""
    procedure = Procedure(data.procedure)
    problems: list[FieldProblem] = []
    for name in OPENING_FIELDS[procedure]:
        if getattr(data, name) is None:
            problems.append(_problem(name, "required", f"A {procedure} case needs {name}."))
    for other, names in OPENING_FIELDS.items():
        for name in names:
            if other != procedure and name not in SHARED_FIELDS and getattr(data, name) is not None:
                problems.append(
                    _problem(name, "not_for_procedure", f"{name} is not part of {procedure}.")
                )
    risk_types = data.proposed_risk_types or []
    if len(set(risk_types)) != len(risk_types):
        problems.append(
            _problem("proposed_risk_types", "duplicate", "A risk type is named more than once.")
        )
    if problems:
        raise InvalidInput("The case cannot be opened as sent.", fields=problems)
    book.check("case_source", data.source, "body.source")
    book.check("monitoring_category", data.proposed_category, "body.proposed_category")
    book.check_all("risk_type", risk_types, "body.proposed_risk_types")
    book.check("elimination_kind", data.elimination_kind, "body.elimination_kind")


def check_step_data(
    case: Case, data: CaseStepAction, today: date, notice_days: int
) -> dict[str, object]:
    """The step's data, JSON-ready, after the checks every action needs and those of
    completing `data.step` (the township's waits for the `notice_days` of the notice)."""
    problems: list[FieldProblem] = []
    sent = {name: getattr(data, name) for name in ALL_STEP_DATA if getattr(data, name) is not None}
    for name in sorted(sent.keys() - STEP_DATA.get(data.step, frozenset())):
        problems.append(_problem(name, "not_for_step", f"{name} is not data of {data.step}."))
    if data.action in (Action.SEND_BACK, Action.REJECT) and data.findings is None:
        problems.append(_problem("findings", "required", f"To {data.action} needs the reason."))
    if problems:
        raise InvalidInput("The step cannot be taken as sent.", fields=problems)
    if data.action == Action.COMPLETE:
        _check_completion(case, data, today, notice_days)
    return {
        name: value.isoformat() if isinstance(value, date) else value
        for name, value in sorted(sent.items())
    }


def _check_completion(case: Case, data: CaseStepAction, today: date, notice_days: int) -> None:
    if data.step == Step.HOME_VERIFICATION and case.procedure == Procedure.IDENTIFICATION:
        if data.consent_signed is not True:
            raise InvalidInput.for_field(
                "body.consent_signed",
                "consent_required",
                "Identification needs the household's signed consent (承诺授权书).",
            )
    elif data.step == Step.VILLAGE_REVIEW:
        started = data.notice_started_on
        if started is None:
            raise InvalidInput.for_field(
                "body.notice_started_on", "required", "The village review starts the notice."
            )
        if started > today:
            raise InvalidInput.for_field(
                "body.notice_started_on", "date_in_future", "The notice has not started yet."
            )
        if started < case.opened_on:
            raise InvalidInput.for_field(
                "body.notice_started_on",
                "before_case_opened",
                "The notice cannot start before the case was opened.",
            )
    elif data.step == Step.TOWNSHIP_REVIEW:
        ends = notice_ends_on(case.notice_started_on, notice_days)
        if ends is None or ends > today:
            message = (
                f"The public notice (公示) runs {notice_days} days; the township may complete "
                f"its review from {ends}."
            )
            raise InvalidInput(
                message,
                code="notice_period_running",
                fields=[
                    FieldProblem(field="body.step", rule="notice_period_running", message=message)
                ],
                extra={"notice_ends_on": ends.isoformat() if ends else None},
            )


def _problem(name: str, rule: str, message: str) -> FieldProblem:
    return FieldProblem(field=f"body.{name}", rule=rule, message=message)
