"""The operations a field device queues offline, one model per `kind`.

Updates carry the record's `base_version` and, for each changed field, the value the officer
saw (`base`), so that the server can merge updates of fields nobody else touched.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.monitoring.cases.schemas import CaseOpen, CaseStepAction
from services.monitoring.households.schemas import Code, HouseholdCreate, MemberCreate, Text200
from services.monitoring.visits.schemas import VisitCreate
from services.monitoring.warnings.schemas import CaseFromWarning, Reason, WarningKind


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FieldChange(StrictModel):
    """One changed field: the new `value` and the `base` value the officer saw before."""

    value: Any = Field(description="The new value")
    base: Any = Field(None, description="The value the officer saw when changing it")


class Operation(StrictModel):
    operation_id: uuid.UUID = Field(description="Client-generated id (操作编号), unique per device")


class HouseholdTarget(Operation):
    """`household_id` (a server id) or `household_ref` (the operation id of the
    `create_household` that created it offline); exactly one."""

    household_id: uuid.UUID | None = None
    household_ref: uuid.UUID | None = Field(
        None, description="operation_id of the create_household that made the household"
    )

    @model_validator(mode="after")
    def _one_target(self) -> HouseholdTarget:
        if (self.household_id is None) == (self.household_ref is None):
            raise ValueError("give exactly one of household_id and household_ref")
        return self


class CreateHousehold(Operation):
    kind: Literal["create_household"]
    household: HouseholdCreate


class UpdateHousehold(HouseholdTarget):
    kind: Literal["update_household"]
    base_version: int = Field(ge=1)
    changes: dict[str, FieldChange] = Field(min_length=1, max_length=20)


class AddMember(HouseholdTarget):
    kind: Literal["add_member"]
    member: MemberCreate


class UpdateMember(Operation):
    kind: Literal["update_member"]
    member_id: uuid.UUID | None = None
    member_ref: uuid.UUID | None = Field(
        None, description="operation_id of the add_member that added the member"
    )
    base_version: int = Field(ge=1)
    changes: dict[str, FieldChange] = Field(min_length=1, max_length=20)

    @model_validator(mode="after")
    def _one_target(self) -> UpdateMember:
        if (self.member_id is None) == (self.member_ref is None):
            raise ValueError("give exactly one of member_id and member_ref")
        return self


class ChangeHead(HouseholdTarget):
    """Another member becomes the head (变更户主), as `POST /households/{id}/head`: `member_id`
    or `member_ref` (the operation id of the add_member that added the member); exactly one."""

    kind: Literal["change_head"]
    base_version: int = Field(ge=1, description="The household's version")
    base_head_member_id: uuid.UUID | None = Field(
        None,
        description="The head the officer saw (原户主): with it, the change still applies after "
        "other changes to the household (a member added, an address corrected) as long as that "
        "member is still the head; without it, `base_version` must be current",
    )
    member_id: uuid.UUID | None = None
    member_ref: uuid.UUID | None = Field(
        None, description="operation_id of the add_member that added the member"
    )
    former_head_relationship: Code

    @model_validator(mode="after")
    def _one_member(self) -> ChangeHead:
        if (self.member_id is None) == (self.member_ref is None):
            raise ValueError("give exactly one of member_id and member_ref")
        return self


class MemberTarget(Operation):
    """`member_id` (a server id) or `member_ref` (the operation id of the `add_member` that
    added the member offline); exactly one."""

    member_id: uuid.UUID | None = None
    member_ref: uuid.UUID | None = Field(
        None, description="operation_id of the add_member that added the member"
    )

    @model_validator(mode="after")
    def _one_member(self) -> MemberTarget:
        if (self.member_id is None) == (self.member_ref is None):
            raise ValueError("give exactly one of member_id and member_ref")
        return self


class LeaveMember(MemberTarget):
    """A member leaves the registry (成员减少: death, moving away), as
    `POST /members/{id}/leave`: kept, marked inactive. No `base_version`: the route takes no
    If-Match, and a member who already left is refused (`member_inactive`)."""

    kind: Literal["leave_member"]
    left_on: date
    reason: Code = Field(description="member_left_reason code list (减少原因), e.g. `deceased`")


class MoveMember(MemberTarget):
    """A member moves to another household of the area (成员迁移: 分户、合户), as
    `POST /members/{id}/move`: `to_household_id` or `to_household_ref` (the operation id of the
    `create_household` that created it offline); exactly one. No `base_version`, as the route."""

    kind: Literal["move_member"]
    to_household_id: uuid.UUID | None = None
    to_household_ref: uuid.UUID | None = Field(
        None, description="operation_id of the create_household that made the target household"
    )
    relationship: Code = Field(description="relationship code list: to the target's head")
    reason: Text200

    @model_validator(mode="after")
    def _one_target(self) -> MoveMember:
        if (self.to_household_id is None) == (self.to_household_ref is None):
            raise ValueError("give exactly one of to_household_id and to_household_ref")
        return self


class RecordVisit(HouseholdTarget):
    """A visit (走访) or, with `visit.kind` = `revisit`, a revisit (回访)."""

    kind: Literal["record_visit"]
    visit: VisitCreate


class CaseStep(Operation):
    """A step on a case, e.g. home verification (入户核实)."""

    kind: Literal["case_step"]
    case_id: uuid.UUID
    base_version: int = Field(ge=1)
    step: CaseStepAction


class OpenCase(Operation):
    kind: Literal["open_case"]
    case: CaseOpen


class AcknowledgeWarning(Operation):
    kind: Literal["acknowledge_warning"]
    warning_id: uuid.UUID
    warning_kind: WarningKind = "warning"
    base_version: int = Field(ge=1)


class DismissWarning(Operation):
    kind: Literal["dismiss_warning"]
    warning_id: uuid.UUID
    warning_kind: WarningKind = "warning"
    base_version: int = Field(ge=1)
    reason: Reason


class CaseFromWarningOperation(Operation):
    kind: Literal["open_case_from_warning"]
    warning_id: uuid.UUID
    base_version: int = Field(ge=1)
    case: CaseFromWarning


AnyOperation = Annotated[
    CreateHousehold
    | UpdateHousehold
    | AddMember
    | UpdateMember
    | ChangeHead
    | LeaveMember
    | MoveMember
    | RecordVisit
    | CaseStep
    | OpenCase
    | AcknowledgeWarning
    | DismissWarning
    | CaseFromWarningOperation,
    Field(discriminator="kind"),
]
KINDS = (
    "create_household",
    "update_household",
    "add_member",
    "update_member",
    "change_head",
    "leave_member",
    "move_member",
    "record_visit",
    "case_step",
    "open_case",
    "acknowledge_warning",
    "dismiss_warning",
    "open_case_from_warning",
)
