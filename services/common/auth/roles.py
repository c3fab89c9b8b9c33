"""Roles and scopes. A role says what a principal may do, its area says where."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """Every role, each bound to an area (see the README's role table)."""

    VILLAGE_OFFICER = "village_officer"  # 村级信息员
    TOWNSHIP_REVIEWER = "township_reviewer"  # 乡镇审核员
    COUNTY_APPROVER = "county_approver"  # 县级审批人
    COUNTY_ADMIN = "county_admin"  # 县级管理员
    CITY_VIEWER = "city_viewer"  # 市级查看
    PROVINCE_VIEWER = "province_viewer"  # 省级查看
    PROVINCE_SYSTEM = "province_system"  # 省级平台（机器）
    DEPARTMENT_FEED = "department_feed"  # 行业部门数据推送（机器）
    ADMINISTRATOR = "administrator"  # 系统管理员


PERSON_ROLES = frozenset(
    {
        Role.VILLAGE_OFFICER,
        Role.TOWNSHIP_REVIEWER,
        Role.COUNTY_APPROVER,
        Role.COUNTY_ADMIN,
        Role.CITY_VIEWER,
        Role.PROVINCE_VIEWER,
        Role.ADMINISTRATOR,
    }
)
MACHINE_ROLES = frozenset({Role.PROVINCE_SYSTEM, Role.DEPARTMENT_FEED, Role.ADMINISTRATOR})

# Roles that manage users, machine clients and areas, each within its own area.
ACCOUNT_MANAGERS = frozenset({Role.ADMINISTRATOR, Role.COUNTY_ADMIN})


class Scope(StrEnum):
    """Extra rights granted one by one on top of a role."""

    PERSONAL_DATA_REVEAL = "personal_data:reveal"  # 查看完整证件号码（留痕）
    INTERNAL = "internal"  # service-to-service routes (the gateway's own token)
