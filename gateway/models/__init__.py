"""SQLAlchemy models of the gateway's own database."""

from gateway.models.areas import Area
from gateway.models.base import Base
from gateway.models.identities import MachineClient, User

__all__ = ["Area", "Base", "MachineClient", "User"]
