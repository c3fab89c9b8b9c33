"""SQLAlchemy models of the employment service, one file per aggregate."""

from sqlalchemy.orm import DeclarativeBase

from services.common.tables import make_metadata


class Base(DeclarativeBase):
    metadata = make_metadata()
