"""SQLAlchemy models of the employment service, one file per aggregate."""

from services.employment.models.base import Base, Versioned
from services.employment.models.figures import AreaFigure, CountyFigure
from services.employment.models.labourers import Labourer, Training
from services.employment.models.loans import Loan, LoanEvent, LoanInstallment, NewLoanHousehold
from services.employment.models.places import AssistanceWorkshop, PublicWelfarePost
from services.employment.models.spells import EmploymentSpell, LabourerYear
from services.employment.models.subsidies import Subsidy
from services.employment.models.targets import EmploymentTarget

__all__ = [
    "AreaFigure",
    "AssistanceWorkshop",
    "Base",
    "CountyFigure",
    "EmploymentSpell",
    "EmploymentTarget",
    "Labourer",
    "LabourerYear",
    "Loan",
    "LoanEvent",
    "LoanInstallment",
    "NewLoanHousehold",
    "PublicWelfarePost",
    "Subsidy",
    "Training",
    "Versioned",
]
