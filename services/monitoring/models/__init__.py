"""SQLAlchemy models of the monitoring service, one file per aggregate."""

from services.monitoring.models.base import Base
from services.monitoring.models.cases import Case, CaseStep
from services.monitoring.models.codes import Code
from services.monitoring.models.feeds import FeedBatch, FeedChunk, FeedRecord, FeedRejection
from services.monitoring.models.figures import AreaFigure, CountyFigure
from services.monitoring.models.households import Household, Member, MemberMove
from services.monitoring.models.incomes import HouseholdIncome, MonitoringLine
from services.monitoring.models.plans import HelpMeasure, HelpPlan
from services.monitoring.models.sync import SyncOperation
from services.monitoring.models.visits import Visit
from services.monitoring.models.warnings import (
    DepartmentWarning,
    WarningEvent,
    WarningRule,
    WarningRuleVersion,
)

__all__ = [
    "AreaFigure",
    "Base",
    "Case",
    "CaseStep",
    "Code",
    "CountyFigure",
    "DepartmentWarning",
    "FeedBatch",
    "FeedChunk",
    "FeedRecord",
    "FeedRejection",
    "HelpMeasure",
    "HelpPlan",
    "Household",
    "HouseholdIncome",
    "Member",
    "MemberMove",
    "MonitoringLine",
    "SyncOperation",
    "Visit",
    "WarningEvent",
    "WarningRule",
    "WarningRuleVersion",
]
