"""The rules for binding a role to an area and for granting roles and scopes.

- Each role belongs at certain area levels (a village officer at a village or a township, a
  county approver at a county, ...).
- An administrator may grant any role and scope within its area; a county administrator may
  create the county's own staff and department feeds, nothing above the county and no extra
  scopes.
"""

from __future__ import annotations

from services.common.areas import AreaLevel, level_of
from services.common.auth.principal import Principal
from services.common.auth.roles import Role, Scope
from services.common.errors import Forbidden, InvalidInput

ROLE_AREA_LEVELS: dict[Role, frozenset[AreaLevel]] = {
    Role.VILLAGE_OFFICER: frozenset({AreaLevel.VILLAGE, AreaLevel.TOWNSHIP}),
    Role.TOWNSHIP_REVIEWER: frozenset({AreaLevel.TOWNSHIP}),
    Role.COUNTY_APPROVER: frozenset({AreaLevel.COUNTY}),
    Role.COUNTY_ADMIN: frozenset({AreaLevel.COUNTY}),
    Role.CITY_VIEWER: frozenset({AreaLevel.CITY}),
    Role.PROVINCE_VIEWER: frozenset({AreaLevel.PROVINCE}),
    Role.PROVINCE_SYSTEM: frozenset({AreaLevel.PROVINCE}),
    Role.DEPARTMENT_FEED: frozenset({AreaLevel.PROVINCE, AreaLevel.CITY, AreaLevel.COUNTY}),
    Role.ADMINISTRATOR: frozenset(AreaLevel),
}

COUNTY_ADMIN_GRANTS = frozenset(
    {
        Role.VILLAGE_OFFICER,
        Role.TOWNSHIP_REVIEWER,
        Role.COUNTY_APPROVER,
        Role.COUNTY_ADMIN,
        Role.DEPARTMENT_FEED,
    }
)
GRANTABLE_SCOPES = frozenset({Scope.PERSONAL_DATA_REVEAL.value})


def check_role_fits_area(role: Role, area_code: str, *, field: str = "body.area_code") -> None:
    """422 `role_area_mismatch` when the area's level does not suit the role."""
    level = level_of(area_code)
    allowed = ROLE_AREA_LEVELS[role]
    if level not in allowed:
        levels = ", ".join(sorted(item.value for item in allowed))
        raise InvalidInput.for_field(
            field,
            "role_area_mismatch",
            f"A {role.value} is bound to an area of level {levels}, not {level.value}.",
        )


def check_may_grant(granter: Principal, role: Role, scopes: list[str]) -> None:
    """403 when the granter may not hand out this role or these scopes."""
    unknown = sorted(set(scopes) - GRANTABLE_SCOPES)
    if unknown:
        raise InvalidInput.for_field(
            "body.scopes", "scope_unknown", f"Unknown or ungrantable scopes: {', '.join(unknown)}."
        )
    if granter.role == Role.ADMINISTRATOR:
        return
    if granter.role == Role.COUNTY_ADMIN and role in COUNTY_ADMIN_GRANTS and not scopes:
        return
    raise Forbidden(
        f"A {granter.role.value} may not grant the role {role.value} or extra scopes.",
        code="grant_not_allowed",
    )
