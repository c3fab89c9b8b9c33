from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)

from services.common.auth.roles import Role
from services.common.fields import AreaCode


def _lower(value: object) -> object:
    # Usernames are case-insensitive: folded before the pattern is checked.
    return value.strip().lower() if isinstance(value, str) else value


Username = Annotated[
    str,
    BeforeValidator(_lower),
    StringConstraints(min_length=3, max_length=64, pattern=r"^[a-z0-9_.-]+$"),
]
DisplayName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Password = Annotated[str, StringConstraints(min_length=10, max_length=200)]


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


class UserCreate(StrictModel):
    """A new account (新建用户). Without `password` a random one is generated and shown once."""

    username: Username
    display_name: DisplayName
    role: Role
    area_code: AreaCode = Field(description="12-digit division code of the user's jurisdiction")
    scopes: list[str] = Field(default_factory=list, max_length=10)
    password: Password | None = None


class UserUpdate(StrictModel):
    """Changes to an account; send only what changes, with `If-Match: <version>`."""

    display_name: DisplayName | None = None
    role: Role | None = None
    area_code: AreaCode | None = None
    scopes: list[str] | None = Field(None, max_length=10)
    active: bool | None = None


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    username: str
    display_name: str
    role: Role
    area_code: str
    scopes: list[str]
    active: bool
    locked_until: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime


class UserCreated(UserRead):
    initial_password: str | None = Field(
        None, description="The generated password, shown this once (only when none was given)."
    )


class PasswordReset(BaseModel):
    password: str = Field(description="The new password, shown this once.")
