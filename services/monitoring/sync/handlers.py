"""One handler per operation kind, each calling the service function the REST route calls,
so that every rule (scope, codes, versions, figures, change feed, audit) holds the same way."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.auth.principal import Principal
from services.common.auth.roles import Role
from services.common.errors import DixianError, Forbidden
from services.common.personal_data import Protector
from services.monitoring.access import REGISTRARS
from services.monitoring.cases import service as cases
from services.monitoring.codes.book import CodeBook
from services.monitoring.households import head, members
from services.monitoring.households import service as households
from services.monitoring.households.schemas import (
    HeadChange,
    HouseholdRead,
    HouseholdUpdate,
    MemberLeave,
    MemberMoveRequest,
    MemberRead,
    MemberUpdate,
)
from services.monitoring.settings import MonitoringSettings
from services.monitoring.sync import operations as ops
from services.monitoring.sync import repository
from services.monitoring.sync.merge import merged_version, new_values
from services.monitoring.visits import service as visits
from services.monitoring.visits.endpoints import VISITORS
from services.monitoring.warnings import service as warnings


class DependencyPending(DixianError):
    """The operation names a record created by an operation not applied yet."""

    status = 409
    code = "dependency_pending"


@dataclass(frozen=True)
class Context:
    session: AsyncSession
    principal: Principal
    book: CodeBook
    protector: Protector
    settings: MonitoringSettings
    today: date
    # The batch's operations applied so far or stored before, by operation id.
    applied: dict[uuid.UUID, repository.StoredOperation]


@dataclass(frozen=True)
class Applied:
    entity: str
    record_id: uuid.UUID
    version: int
    related: dict[str, Any] | None = None


Handler = Callable[[Context, Any], Awaitable[Applied]]


async def create_household(ctx: Context, op: ops.CreateHousehold) -> Applied:
    household = await households.create_household(
        ctx.session, ctx.principal, ctx.book, ctx.protector, op.household
    )
    return Applied("household", household.id, household.version)


async def update_household(ctx: Context, op: ops.UpdateHousehold) -> Applied:
    data = new_values(HouseholdUpdate, op.changes)
    household_id = await _household_id(ctx, op)
    household = await households.locked_household(ctx.session, ctx.principal, household_id)
    current = HouseholdRead.model_validate(household).model_dump(mode="json", exclude={"members"})
    merged_version(op.base_version, household.version, current, op.changes)  # or 412
    household = await households.change_household(
        ctx.session, ctx.principal, ctx.protector, household, data
    )
    return Applied("household", household.id, household.version)


async def add_member(ctx: Context, op: ops.AddMember) -> Applied:
    member = await members.add_member(
        ctx.session, ctx.principal, ctx.book, ctx.protector, await _household_id(ctx, op), op.member
    )
    return Applied("member", member.id, member.version)


async def update_member(ctx: Context, op: ops.UpdateMember) -> Applied:
    data = new_values(MemberUpdate, op.changes)
    member_id = op.member_id or await _created(ctx, op.member_ref, "add_member")
    member = await members.lock_member_for_update(ctx.session, ctx.principal, member_id, data)
    current = MemberRead.model_validate(member).model_dump(mode="json")
    version = merged_version(op.base_version, member.version, current, op.changes)
    member = await members.update_member(
        ctx.session, ctx.principal, ctx.book, member_id, data, version, locked=member
    )
    return Applied("member", member.id, member.version)


async def change_head(ctx: Context, op: ops.ChangeHead) -> Applied:
    member_id = op.member_id or await _created(ctx, op.member_ref, "add_member")
    data = HeadChange(member_id=member_id, former_head_relationship=op.former_head_relationship)
    household_id = await _household_id(ctx, op)
    version = op.base_version
    if op.base_head_member_id is not None:  # the merge of a change of head: the head unchanged
        version = await head.version_with_head(
            ctx.session, ctx.principal, household_id, op.base_version, op.base_head_member_id
        )
    household = await head.change_head(
        ctx.session, ctx.principal, ctx.book, household_id, data, version
    )
    return Applied("household", household.id, household.version, {"head_member_id": str(member_id)})


async def leave_member(ctx: Context, op: ops.LeaveMember) -> Applied:
    data = MemberLeave(left_on=op.left_on, reason=op.reason)
    member = await members.leave(
        ctx.session, ctx.principal, ctx.book, await _member_id(ctx, op), data
    )
    return Applied("member", member.id, member.version)


async def move_member(ctx: Context, op: ops.MoveMember) -> Applied:
    member_id = await _member_id(ctx, op)
    to_household_id = op.to_household_id or await _created(
        ctx, op.to_household_ref, "create_household"
    )
    data = MemberMoveRequest(
        to_household_id=to_household_id, relationship=op.relationship, reason=op.reason
    )
    member = await members.move(ctx.session, ctx.principal, ctx.book, member_id, data)
    return Applied("member", member.id, member.version)


async def record_visit(ctx: Context, op: ops.RecordVisit) -> Applied:
    visit, case = await visits.record_visit(
        ctx.session, ctx.principal, await _household_id(ctx, op), op.visit, today=ctx.today
    )
    related = None if case is None else {"reopened_case_id": str(case.id)}
    return Applied("visit", visit.id, visit.version, related)


async def case_step(ctx: Context, op: ops.CaseStep) -> Applied:
    case, _ = await cases.act_on_case(
        ctx.session, ctx.principal, op.case_id, op.step, op.base_version, ctx.settings
    )
    return Applied("case", case.id, case.version)


async def open_case(ctx: Context, op: ops.OpenCase) -> Applied:
    case, _ = await cases.open_case(ctx.session, ctx.principal, op.case, ctx.book, ctx.settings)
    return Applied("case", case.id, case.version)


async def acknowledge_warning(ctx: Context, op: ops.AcknowledgeWarning) -> Applied:
    warning = await warnings.acknowledge(
        ctx.session, ctx.principal, op.warning_kind, op.warning_id, op.base_version
    )
    return Applied("warning", warning.id, warning.version)


async def dismiss_warning(ctx: Context, op: ops.DismissWarning) -> Applied:
    warning = await warnings.dismiss(
        ctx.session, ctx.principal, op.warning_kind, op.warning_id, op.reason, op.base_version
    )
    return Applied("warning", warning.id, warning.version)


async def open_case_from_warning(ctx: Context, op: ops.CaseFromWarningOperation) -> Applied:
    warning, case = await warnings.open_case(
        ctx.session,
        ctx.principal,
        ctx.book,
        ctx.settings,
        "warning",
        op.warning_id,
        op.case,
        op.base_version,
    )
    return Applied("warning", warning.id, warning.version, {"case_id": str(case.id)})


async def _household_id(ctx: Context, op: ops.HouseholdTarget) -> uuid.UUID:
    return op.household_id or await _created(ctx, op.household_ref, "create_household")


async def _member_id(ctx: Context, op: ops.MemberTarget) -> uuid.UUID:
    return op.member_id or await _created(ctx, op.member_ref, "add_member")


async def _created(ctx: Context, ref: uuid.UUID | None, kind: str) -> uuid.UUID:
    assert ref is not None  # the operation's validator requires an id or a ref
    earlier = ctx.applied.get(ref)
    if earlier is not None:
        record_id = uuid.UUID(earlier.outcome["record_id"]) if earlier.kind == kind else None
    else:
        record_id = await repository.created_record(ctx.session, ctx.principal.subject, ref, kind)
    if record_id is None:
        raise DependencyPending(f"The {kind} operation {ref} has not been applied yet.")
    return record_id


# Case steps: every person role may reach them; which role takes which step is the case's rule.
ANY_WRITER = (*REGISTRARS, Role.TOWNSHIP_REVIEWER, Role.COUNTY_APPROVER)
HANDLERS: dict[str, tuple[Handler, tuple[Role, ...]]] = {
    "create_household": (create_household, REGISTRARS),
    "update_household": (update_household, REGISTRARS),
    "add_member": (add_member, REGISTRARS),
    "update_member": (update_member, REGISTRARS),
    "change_head": (change_head, REGISTRARS),
    "leave_member": (leave_member, REGISTRARS),
    "move_member": (move_member, REGISTRARS),
    "record_visit": (record_visit, VISITORS),
    "case_step": (case_step, ANY_WRITER),
    "open_case": (open_case, REGISTRARS),
    "acknowledge_warning": (acknowledge_warning, REGISTRARS),
    "dismiss_warning": (dismiss_warning, REGISTRARS),
    "open_case_from_warning": (open_case_from_warning, REGISTRARS),
}
assert set(HANDLERS) == set(ops.KINDS)
# The kinds that lock members: by `member_id` (or `member_ref`, a member added by the batch),
# or those of the household they name (a change of head).
MEMBER_KINDS = {"update_member", "leave_member", "move_member", "change_head"}
# The kinds whose writes all go through the asyncpg connection (`households.rows`), with no ORM
# flush: a savepoint on the driver holds them (see `sync.savepoints`).
ON_DRIVER = {"create_household", "update_household", "add_member", "record_visit"}


def runs_on_driver(op: Any) -> bool:
    # A revisit may reopen a case through the ORM.
    return op.kind in ON_DRIVER and not (op.kind == "record_visit" and op.visit.kind == "revisit")


async def households_touched(
    session: AsyncSession, principal: Principal, operations: list[Any]
) -> list[uuid.UUID]:
    """The households to lock ahead, by server id, each once, in one statement and in id
    order: those the operations on the driver name (they are then read from memory), and the
    households of every member an operation locks, so that a batch too locks households before
    members (every writer does: `households.members`). Others (a revisit's, a case's) are
    locked when their operation runs, as their routes do."""
    named: set[uuid.UUID | None] = set()
    for op in operations:
        if runs_on_driver(op) or op.kind in MEMBER_KINDS:
            named.update(getattr(op, name, None) for name in ("household_id", "to_household_id"))
    members = {op.member_id for op in operations if op.kind in MEMBER_KINDS and op.member_id}
    named.update(await households.households_of_members(session, principal, members))
    return sorted(household_id for household_id in named if household_id is not None)


async def apply(ctx: Context, op: Any) -> Applied:
    """Run the operation's handler after checking the caller's role may do it."""
    handler, roles = HANDLERS[op.kind]
    if ctx.principal.role not in roles:
        raise Forbidden(
            f"The role {ctx.principal.role.value} may not {op.kind}.", code="role_not_allowed"
        )
    return await handler(ctx, op)
