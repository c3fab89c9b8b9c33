"""The funds service's closed vocabularies. Each value is stored as is and checked by a CHECK
constraint; the Chinese term is given once beside it."""

from __future__ import annotations

from enum import StrEnum


class FundLevel(StrEnum):
    """Who allocated the money (资金下达级次)."""

    CENTRAL = "central"  # 中央
    PROVINCIAL = "provincial"  # 省级
    MUNICIPAL = "municipal"  # 市级
    COUNTY = "county"  # 县级


class ProjectCategory(StrEnum):
    INDUSTRY = "industry"  # 产业
    EMPLOYMENT = "employment"  # 就业
    INFRASTRUCTURE = "infrastructure"  # 基础设施
    OTHER = "other"  # 其他


class ProjectStatus(StrEnum):
    PROPOSED = "proposed"  # 村级申报, in the library (入库)
    REVIEWED = "reviewed"  # 乡镇审核通过
    APPROVED = "approved"  # 县级审定通过
    REJECTED = "rejected"  # 县级审定不通过
    STARTED = "started"  # 开工
    COMPLETED = "completed"  # 完工
    ACCEPTED = "accepted"  # 验收
    CANCELLED = "cancelled"  # 取消 (before completion)


class BenefitMechanism(StrEnum):
    """How a project benefits farmers (联农带农机制)."""

    LAND_RENT = "land_rent"  # 土地流转租金
    WAGES = "wages"  # 务工工资
    DIVIDENDS = "dividends"  # 入股分红
    ASSET_INCOME = "asset_income"  # 资产收益
    PRODUCT_PURCHASE = "product_purchase"  # 订单收购、产品代销
    PUBLIC_WELFARE_POSTS = "public_welfare_posts"  # 公益岗位
    TECHNICAL_SERVICES = "technical_services"  # 技术服务、生产托管
    OTHER = "other"  # 其他


class EntryKind(StrEnum):
    """Money rows are never edited: a correction is a new row reversing part of an original."""

    ORIGINAL = "original"
    REVERSAL = "reversal"  # 冲销 (allocations, links); a refund (退款) for payments


class AssetKind(StrEnum):
    OPERATING = "operating"  # 经营性
    PUBLIC_WELFARE = "public_welfare"  # 公益性
    HOUSEHOLD = "household"  # 到户类


class AssetOwner(StrEnum):
    COUNTY = "county"  # 县级
    TOWNSHIP = "township"  # 乡镇
    VILLAGE_COLLECTIVE = "village_collective"  # 村集体
    HOUSEHOLD = "household"  # 农户


class AssetStatus(StrEnum):
    IN_USE = "in_use"  # 在用
    IDLE = "idle"  # 闲置
    DISPOSED = "disposed"  # 已处置


def sql_in(values: type[StrEnum]) -> str:
    """`'a', 'b'` for a CHECK constraint's IN list."""
    return ", ".join(f"'{value.value}'" for value in values)
