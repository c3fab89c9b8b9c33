"""A project's life as a table: which action moves it from which statuses to which, and who may
take it. Pure functions over names, so the whole order reads in one screen.

proposed --review--> reviewed --approve--> approved --start--> started --complete--> completed
reviewed --reject--> rejected
completed --accept--> accepted
proposed, reviewed, approved, started --cancel--> cancelled
"""

from __future__ import annotations

from enum import StrEnum

from services.common.areas import AreaLevel, level_of
from services.common.auth.roles import Role
from services.common.errors import Conflict, Forbidden
from services.funds.vocabulary import ProjectStatus as S


class ProjectAction(StrEnum):
    REVIEW = "review"  # 乡镇审核
    APPROVE = "approve"  # 县级审定通过
    REJECT = "reject"  # 县级审定不通过
    START = "start"  # 开工
    COMPLETE = "complete"  # 完工
    ACCEPT = "accept"  # 验收
    CANCEL = "cancel"  # 取消


A = ProjectAction
MOVES: dict[ProjectAction, tuple[frozenset[S], S]] = {
    A.REVIEW: (frozenset({S.PROPOSED}), S.REVIEWED),
    A.APPROVE: (frozenset({S.REVIEWED}), S.APPROVED),
    A.REJECT: (frozenset({S.REVIEWED}), S.REJECTED),
    A.START: (frozenset({S.APPROVED}), S.STARTED),
    A.COMPLETE: (frozenset({S.STARTED}), S.COMPLETED),
    A.ACCEPT: (frozenset({S.COMPLETED}), S.ACCEPTED),
    A.CANCEL: (frozenset({S.PROPOSED, S.REVIEWED, S.APPROVED, S.STARTED}), S.CANCELLED),
}

COUNTY_STAFF = frozenset({Role.COUNTY_ADMIN, Role.COUNTY_APPROVER, Role.ADMINISTRATOR})
ROLES: dict[ProjectAction, frozenset[Role]] = {
    # The township reviews its villages' and its own projects; a county-level project has no
    # township, so the county administration reviews it (see `roles_for`).
    A.REVIEW: frozenset({Role.TOWNSHIP_REVIEWER, Role.ADMINISTRATOR}),
    A.APPROVE: frozenset({Role.COUNTY_APPROVER, Role.ADMINISTRATOR}),
    A.REJECT: frozenset({Role.COUNTY_APPROVER, Role.ADMINISTRATOR}),
    A.START: COUNTY_STAFF,
    A.COMPLETE: COUNTY_STAFF,
    A.ACCEPT: frozenset({Role.COUNTY_APPROVER, Role.ADMINISTRATOR}),
    A.CANCEL: COUNTY_STAFF,
}
COUNTY_LEVEL_REVIEWERS = frozenset({Role.COUNTY_ADMIN, Role.ADMINISTRATOR})

# A decision against a project says why.
NOTE_REQUIRED = frozenset({A.REJECT, A.CANCEL})
# Funds may be linked once the county has approved a project, and paid once work has started
# (final payments and retention money, 尾款、质保金, fall due after completion and acceptance).
LINKABLE = frozenset({S.APPROVED, S.STARTED})
PAYABLE = frozenset({S.STARTED, S.COMPLETED, S.ACCEPTED})
ASSET_FORMING = frozenset({S.COMPLETED, S.ACCEPTED})


def roles_for(action: ProjectAction, place: str) -> frozenset[Role]:
    if action == A.REVIEW and level_of(place) == AreaLevel.COUNTY:
        return COUNTY_LEVEL_REVIEWERS
    return ROLES[action]


def allowed_actions(status: str) -> list[ProjectAction]:
    """The actions a project in `status` can take next, in life order."""
    return [action for action, (sources, _) in MOVES.items() if status in sources]


def next_status(action: ProjectAction, status: str, role: Role, place: str) -> S:
    """The status `action` leads to; raises unless `role` may take it on a project at `status`."""
    if role not in roles_for(action, place):
        raise Forbidden(
            f"A {role.value} may not {action.value} this project.",
            code="role_not_allowed_for_transition",
        )
    sources, target = MOVES[action]
    if status not in sources:
        raise Conflict(
            f"A {status} project cannot {action.value}.",
            code="transition_out_of_order",
            extra={"status": status, "allowed_actions": [a.value for a in allowed_actions(status)]},
        )
    return target
