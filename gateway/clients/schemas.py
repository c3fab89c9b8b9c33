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

from gateway.users.schemas import DisplayName, StrictModel, _lower
from services.common.auth.roles import Role
from services.common.fields import AreaCode

ClientId = Annotated[
    str,
    BeforeValidator(_lower),
    StringConstraints(min_length=3, max_length=64, pattern=r"^[a-z0-9_.-]+$"),
]


class ClientCreate(StrictModel):
    """A new machine client (新建接入系统); its secret is generated and shown once."""

    client_id: ClientId
    name: DisplayName
    role: Role = Field(description="province_system or department_feed")
    area_code: AreaCode
    scopes: list[str] = Field(default_factory=list, max_length=10)


class ClientUpdate(StrictModel):
    name: DisplayName | None = None
    scopes: list[str] | None = Field(None, max_length=10)
    active: bool | None = None


class ClientRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    client_id: str
    name: str
    role: Role
    area_code: str
    scopes: list[str]
    active: bool
    version: int
    created_at: datetime
    updated_at: datetime


class ClientWithSecret(ClientRead):
    client_secret: str = Field(description="The client secret, shown this once.")
