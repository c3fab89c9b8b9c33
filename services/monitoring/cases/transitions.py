"""The step machine of a case: which steps a procedure has, in which order, and who acts at each.

Pure functions over names, so the whole order of the procedures can be read in one screen.
"""

from __future__ import annotations

from enum import StrEnum

from services.common.auth.roles import Role
from services.common.errors import Conflict, Forbidden, InvalidInput


class Procedure(StrEnum):
    IDENTIFICATION = "identification"  # 识别纳入
    ELIMINATION = "elimination"  # 风险消除
    ELIMINATION_REVERSAL = "elimination_reversal"  # 风险消除回退 (recorded, never stepped)


class Step(StrEnum):
    HOME_VERIFICATION = "home_verification"  # 入户核实
    DATA_COMPARISON = "data_comparison"  # 信息比对
    VILLAGE_REVIEW = "village_review"  # 村级民主评议 (and the start of 公示)
    TOWNSHIP_REVIEW = "township_review"  # 乡镇审核
    COUNTY_APPROVAL = "county_approval"  # 县级审批


class Action(StrEnum):
    COMPLETE = "complete"
    SEND_BACK = "send_back"  # 退回
    REJECT = "reject"  # 不予通过


class Outcome(StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"
    REOPENED = "reopened"


CLOSED = "closed"  # the state of every closed case, whatever its outcome

# Risk elimination has no data comparison: the household's data were compared when it was
# identified, and its income and members are checked when the case is opened.
CHAINS: dict[Procedure, tuple[Step, ...]] = {
    Procedure.IDENTIFICATION: (
        Step.HOME_VERIFICATION,
        Step.DATA_COMPARISON,
        Step.VILLAGE_REVIEW,
        Step.TOWNSHIP_REVIEW,
        Step.COUNTY_APPROVAL,
    ),
    Procedure.ELIMINATION: (
        Step.HOME_VERIFICATION,
        Step.VILLAGE_REVIEW,
        Step.TOWNSHIP_REVIEW,
        Step.COUNTY_APPROVAL,
    ),
}

STEP_ROLES: dict[Step, Role] = {
    Step.HOME_VERIFICATION: Role.VILLAGE_OFFICER,
    Step.DATA_COMPARISON: Role.VILLAGE_OFFICER,
    Step.VILLAGE_REVIEW: Role.VILLAGE_OFFICER,
    Step.TOWNSHIP_REVIEW: Role.TOWNSHIP_REVIEWER,
    Step.COUNTY_APPROVAL: Role.COUNTY_APPROVER,
}

# Only reviewers and approvers may turn a case down; the village sends back or completes.
REJECTING_ROLES = frozenset({Role.TOWNSHIP_REVIEWER, Role.COUNTY_APPROVER})


def first_step(procedure: Procedure) -> Step:
    return CHAINS[procedure][0]


def next_step(procedure: Procedure, step: Step) -> Step | None:
    """The step after `step`, or None when `step` is the last (the case is decided)."""
    chain = CHAINS[procedure]
    position = chain.index(step)
    return chain[position + 1] if position + 1 < len(chain) else None


def previous_step(procedure: Procedure, step: Step) -> Step | None:
    chain = CHAINS[procedure]
    position = chain.index(step)
    return chain[position - 1] if position > 0 else None


def role_for(state: str) -> Role | None:
    """Who acts next on a case in `state` (None once it is closed)."""
    return STEP_ROLES.get(Step(state)) if state != CLOSED else None


def check_may_act(procedure: Procedure, state: str, step: Step, action: Action, role: Role) -> None:
    """Raise unless `role` may take `action` at `step` on an open case now at `state`."""
    if step not in CHAINS[procedure]:
        raise InvalidInput.for_field(
            "body.step", "step_not_in_procedure", f"A {procedure} case has no step {step}."
        )
    if role != STEP_ROLES[step]:
        raise Forbidden(
            f"The step {step} is taken by a {STEP_ROLES[step].value}, not a {role.value}.",
            code="role_not_allowed_for_step",
        )
    if step != state:
        raise Conflict(
            f"The case is at the step {state}, not {step}.",
            code="step_out_of_order",
            extra={"state": state},
        )
    if action == Action.REJECT and role not in REJECTING_ROLES:
        raise Forbidden(
            "Only township reviewers and county approvers may reject a case.",
            code="role_not_allowed_for_step",
        )
    if action == Action.SEND_BACK and previous_step(procedure, step) is None:
        raise Conflict(
            f"A case at {step} has no earlier step to go back to.", code="cannot_send_back"
        )
