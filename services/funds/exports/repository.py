"""The export queries, scoped by area in SQL."""

from __future__ import annotations

from sqlalchemy import select

from services.common.auth.principal import Principal
from services.common.exports import AnySelect
from services.common.scope import in_scope
from services.funds.models import Payment, Project


def projects(scope: Principal) -> AnySelect:
    """Every project of the library in scope, whatever its status."""
    columns = [column for column in Project.__table__.columns]
    return (
        select(*columns)
        .where(in_scope(Project.area_code, scope))
        .order_by(Project.area_code, Project.id)
    )


def payments(scope: Principal) -> AnySelect:
    """Every payment and refund (reversal) in scope, by the project's place."""
    columns = [column for column in Payment.__table__.columns]
    return (
        select(*columns)
        .where(in_scope(Payment.area_code, scope))
        .order_by(Payment.area_code, Payment.id)
    )
