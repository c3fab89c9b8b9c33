"""SQLAlchemy models of the funds service, one file per aggregate."""

from services.funds.models.allocations import Allocation
from services.funds.models.assets import Asset
from services.funds.models.base import Base
from services.funds.models.figures import FundFigure
from services.funds.models.links import FundLink
from services.funds.models.payments import Payment
from services.funds.models.projects import Project, ProjectTransition
from services.funds.models.rules import FundRules

__all__ = [
    "Allocation",
    "Asset",
    "Base",
    "FundFigure",
    "FundLink",
    "FundRules",
    "Payment",
    "Project",
    "ProjectTransition",
]
