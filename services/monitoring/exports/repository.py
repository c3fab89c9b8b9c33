"""The export queries, scoped by area in SQL and ordered so that a stream can be grouped."""

from __future__ import annotations

from sqlalchemy import and_, select

from services.common.auth.principal import Principal
from services.common.exports import AnySelect
from services.common.scope import in_scope
from services.monitoring.models import Case, Household, Member

HOUSEHOLD_COLUMNS = (
    Household.id,
    Household.household_number,
    Household.area_code,
    Household.kind,
    Household.head_name,
    Household.address,
    Household.phone_masked,
    Household.phone_cipher,
    Household.monitoring_status,
    Household.monitoring_category,
    Household.risk_types,
    Household.identified_on,
    Household.eliminated_on,
    Household.member_count,
    Household.version,
    Household.created_at,
    Household.updated_at,
)
MEMBER_COLUMNS = (
    Member.id,
    Member.person_number_masked,
    Member.person_number_cipher,
    Member.person_number_kind,
    Member.name,
    Member.sex,
    Member.birth_date,
    Member.relationship,
    Member.education,
    Member.student_status,
    Member.health,
    Member.labour_ability,
    Member.work_place,
    Member.work_months,
    Member.medical_insurance,
    Member.pension_insurance,
    Member.minimum_living_allowance,
    Member.extreme_poverty_support,
    Member.version,
)
CASE_COLUMNS = (
    Case.id,
    Case.household_id,
    Case.area_code,
    Case.procedure,
    Case.source,
    Case.source_reference,
    Case.elimination_kind,
    Case.state,
    Case.proposed_category,
    Case.proposed_risk_types,
    Case.opened_by,
    Case.opened_on,
    Case.deadline_on,
    Case.notice_started_on,
    Case.closed_on,
    Case.outcome,
    Case.version,
    Case.created_at,
    Case.updated_at,
)


def households_with_members(scope: Principal) -> AnySelect:
    """One row per active member of each household in scope (members' columns prefixed
    `member_`), a household's rows together, in the registry's (village, head, id) order."""
    members = [column.label(f"member_{column.key}") for column in MEMBER_COLUMNS]
    return (
        select(*HOUSEHOLD_COLUMNS, *members)
        .outerjoin(Member, and_(Member.household_id == Household.id, Member.active))
        .where(in_scope(Household.area_code, scope))
        .order_by(
            Household.area_code,
            Household.head_name,
            Household.id,
            Member.relationship != "head",
            Member.birth_date,
            Member.id,
        )
    )


def cases(scope: Principal) -> AnySelect:
    """Every case in scope, identification and elimination, open and closed."""
    return (
        select(*CASE_COLUMNS)
        .where(in_scope(Case.area_code, scope))
        .order_by(Case.area_code, Case.id)
    )
