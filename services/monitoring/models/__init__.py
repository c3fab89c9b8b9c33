"""SQLAlchemy models of the monitoring service, one file per aggregate."""

from services.monitoring.models.base import Base
from services.monitoring.models.cases import Case, CaseStep
from services.monitoring.models.codes import Code
from services.monitoring.models.figures import AreaFigure
from services.monitoring.models.households import Household, Member, MemberMove
from services.monitoring.models.incomes import HouseholdIncome, MonitoringLine
from services.monitoring.models.plans import HelpMeasure, HelpPlan
from services.monitoring.models.visits import Visit

__all__ = [
    "AreaFigure",
    "Base",
    "Case",
    "CaseStep",
    "Code",
    "HelpMeasure",
    "HelpPlan",
    "Household",
    "HouseholdIncome",
    "Member",
    "MemberMove",
    "MonitoringLine",
    "Visit",
]
