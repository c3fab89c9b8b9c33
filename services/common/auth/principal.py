"""The caller of a request, as established by its token."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from services.common.areas import is_within, level_of, scope_bounds
from services.common.auth.roles import Role, Scope


@dataclass(frozen=True)
class Principal:
    """Who is calling (subject), in which role, over which area, with which extra scopes."""

    subject: str
    role: Role
    area: str
    scopes: frozenset[str] = field(default_factory=frozenset)
    name: str | None = None

    def covers(self, area_code: str) -> bool:
        """True when `area_code` falls under this principal's area (the scope prefix rule)."""
        return is_within(area_code, self.area)

    def has_scope(self, scope: Scope) -> bool:
        return scope.value in self.scopes

    @cached_property
    def area_bounds(self) -> tuple[str, str]:
        """Inclusive area-code range for a `BETWEEN` in SQL (worked out once: the verifier
        hands out the same principal for every request with the same token)."""
        return scope_bounds(self.area)

    @property
    def area_level(self) -> str:
        return level_of(self.area).value
