"""Requests and answers of `/assets`."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.funds.amounts import Amount, MoneyOut
from services.funds.schemas import AreaCode, Line, StrictModel, Text
from services.funds.vocabulary import AssetKind, AssetOwner, AssetStatus

Name = Annotated[Line, Field(max_length=200)]
LiveStatus = Literal["in_use", "idle"]


class AssetCreate(StrictModel):
    """An asset a completed (or accepted) project formed, registered to its owner (确权登记)."""

    project_id: uuid.UUID
    name: Name
    kind: AssetKind = Field(description="经营性 operating, 公益性 public_welfare, 到户类 household")
    owner_type: AssetOwner = Field(
        description="county, township, village_collective (村集体) or household (农户); "
        "household assets (到户类) are owned by households and only they"
    )
    owner_name: Name = Field(description="The owning unit, collective or head of household")
    owner_area_code: AreaCode = Field(
        description="The owner's place: the county, the township, or the village (collectives "
        "and households), inside the project's county"
    )
    value: Amount = Field(description="Book value in yuan (资产原值)")
    formed_on: date = Field(description="When the asset was formed (形成日期); not after today")
    location: Name | None = None
    status: LiveStatus = "in_use"


class AssetUpdate(StrictModel):
    """A change to a registered asset, with If-Match; only the fields given change."""

    name: Name | None = None
    owner_name: Name | None = None
    location: Name | None = None
    value: Amount | None = Field(None, description="A revaluation (资产评估)")
    status: LiveStatus | None = Field(None, description="在用 in_use or 闲置 idle")


class AssetDisposal(StrictModel):
    """Disposal of an asset (资产处置): final; the asset stays on record, out of the figures."""

    disposed_on: date
    reason: Annotated[Text, Field(max_length=2000)]
    method: Annotated[Line, Field(max_length=100, description="e.g. 拍卖, 报废, 转让")] | None = (
        None
    )


class AssetRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    project_id: uuid.UUID
    area_code: str = Field(description="The owner's place")
    county_code: str
    name: str
    kind: AssetKind
    owner_type: AssetOwner
    owner_name: str
    value: MoneyOut
    formed_on: date
    location: str | None
    status: AssetStatus
    disposed_on: date | None
    disposal_reason: str | None
    disposal_method: str | None
    version: int
    created_at: datetime
    updated_at: datetime
