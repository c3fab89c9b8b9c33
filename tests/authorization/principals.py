"""Each role at home (its area covers the world's records in 柘城县) and abroad (the same role
bound to an area that does not cover them): the out-of-scope side of the matrix."""

from __future__ import annotations

from services.common.auth.roles import Role
from tests.support.identities import (
    CITY,
    COUNTY,
    NATION,
    OTHER_COUNTY,
    OTHER_TOWNSHIP,
    OTHER_VILLAGE,
    PROVINCE,
    TOWNSHIP,
    VILLAGE,
    TokenFactory,
)

OTHER_CITY = "410100000000"  # 郑州市, beside 商丘市
OTHER_PROVINCE = "420000000000"  # 湖北省

HOME = {
    Role.VILLAGE_OFFICER: VILLAGE,
    Role.TOWNSHIP_REVIEWER: TOWNSHIP,
    Role.COUNTY_APPROVER: COUNTY,
    Role.COUNTY_ADMIN: COUNTY,
    Role.CITY_VIEWER: CITY,
    Role.PROVINCE_VIEWER: PROVINCE,
    Role.PROVINCE_SYSTEM: PROVINCE,
    Role.DEPARTMENT_FEED: COUNTY,
    Role.ADMINISTRATOR: NATION,
}
ABROAD = {
    Role.VILLAGE_OFFICER: OTHER_VILLAGE,
    Role.TOWNSHIP_REVIEWER: OTHER_TOWNSHIP,
    Role.COUNTY_APPROVER: OTHER_COUNTY,
    Role.COUNTY_ADMIN: OTHER_COUNTY,
    Role.CITY_VIEWER: OTHER_CITY,
    Role.PROVINCE_VIEWER: OTHER_PROVINCE,
    Role.PROVINCE_SYSTEM: OTHER_PROVINCE,
    Role.DEPARTMENT_FEED: OTHER_COUNTY,
    Role.ADMINISTRATOR: OTHER_PROVINCE,
}


# A department client sees only its own batches: at home it is the client that pushed the
# world's batch (tests.monitoring.feeds.support.feed_client).
HOME_SUBJECTS = {Role.DEPARTMENT_FEED: "client:county-medical"}


def home(tokens: TokenFactory, role: Role, scopes: list[str] | None = None) -> dict[str, str]:
    return tokens.headers(role, HOME[role], scopes=scopes, sub=HOME_SUBJECTS.get(role))


def abroad(tokens: TokenFactory, role: Role) -> dict[str, str]:
    return tokens.headers(role, ABROAD[role])
