"""Identities for tests: tokens minted with the development signing key, and the areas the
suite uses (柘城县 in 商丘市, 河南省, and its neighbour 睢县 as "another county")."""

from __future__ import annotations

from services.common.auth.roles import Role
from services.common.settings import DEV_SIGNING_KEY, DEV_SIGNING_KEY_ID

PROVINCE = "410000000000"
CITY = "411400000000"
COUNTY = "411424000000"
TOWNSHIP = "411424105000"
VILLAGE = "411424105201"
OTHER_COUNTY = "411422000000"
OTHER_TOWNSHIP = "411422101000"
OTHER_VILLAGE = "411422101201"
NATION = "000000000000"


class TokenFactory:
    """Mints tokens the way the gateway does, for any role and area."""

    def __init__(self) -> None:
        from gateway.auth.issuer import TokenIssuer
        from gateway.settings import GatewaySettings

        self.issuer = TokenIssuer(
            GatewaySettings(signing_key=DEV_SIGNING_KEY, signing_key_id=DEV_SIGNING_KEY_ID)
        )

    def token(
        self, role: Role, area: str, *, scopes: list[str] | None = None, sub: str | None = None
    ) -> str:
        token, _ = self.issuer.issue(
            subject=sub or f"user:test-{role.value}-{area}",
            role=role.value,
            area=area,
            scopes=scopes or [],
            name=f"test {role.value}",
        )
        return token

    def headers(self, role: Role, area: str, **kwargs: object) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(role, area, **kwargs)}"}  # type: ignore[arg-type]

    # The identities most tests need.
    def administrator(self) -> dict[str, str]:
        return self.headers(Role.ADMINISTRATOR, NATION)

    def county_admin(self, county: str = COUNTY) -> dict[str, str]:
        return self.headers(Role.COUNTY_ADMIN, county)

    def village_officer(self, village: str = VILLAGE) -> dict[str, str]:
        return self.headers(Role.VILLAGE_OFFICER, village)

    def other_county_admin(self) -> dict[str, str]:
        return self.headers(Role.COUNTY_ADMIN, OTHER_COUNTY)
