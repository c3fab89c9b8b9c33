"""Tables the kit keeps in every app's database, and the base for each app's own models.

Every database holds the same three kit tables: the idempotency store, the change feed and the
append-only audit log. Each app declares its own models on a `DeclarativeBase` whose metadata
comes from `make_metadata`, so constraint names follow one convention everywhere.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Identity,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import UserDefinedType

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Area codes compare as plain bytes so that `BETWEEN low AND high` scope ranges use the index.
AREA_CODE_COLLATION = "C"


def make_metadata() -> MetaData:
    """A MetaData with the shared constraint naming convention."""
    return MetaData(naming_convention=NAMING_CONVENTION)


def area_code_type() -> String:
    """The column type of every `area_code`: 12 digits, byte-ordered."""
    return String(12, collation=AREA_CODE_COLLATION)


class Xid8(UserDefinedType[int]):
    """PostgreSQL's 64-bit transaction id, used to order the change feed safely."""

    cache_ok = True

    def get_col_spec(self, **kw: Any) -> str:
        return "xid8"


kit_metadata = make_metadata()

idempotency_keys = Table(
    "idempotency_keys",
    kit_metadata,
    Column("principal", String(200), primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("method", String(10), nullable=False),
    Column("path", Text, nullable=False),
    Column("request_hash", LargeBinary(32), nullable=False),
    Column("status_code", Integer, nullable=False),
    Column("response_headers", JSONB, nullable=False),
    Column("response_body", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)
Index("ix_idempotency_keys_expires_at", idempotency_keys.c.expires_at)

changes = Table(
    "changes",
    kit_metadata,
    Column("seq", BigInteger, Identity(always=True), primary_key=True),
    Column("txid", Xid8, nullable=False, server_default=text("pg_current_xact_id()")),
    Column("entity", String(64), nullable=False),
    Column("entity_id", String(64), nullable=False),
    Column("operation", String(16), nullable=False),
    Column("area_code", area_code_type(), nullable=False),
    Column("version", Integer, nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
Index("ix_changes_txid_seq", changes.c.txid, changes.c.seq)

audit_log = Table(
    "audit_log",
    kit_metadata,
    Column("id", BigInteger, Identity(always=True), primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("actor", String(200), nullable=False),
    Column("actor_role", String(64), nullable=False),
    Column("action", String(64), nullable=False),
    Column("entity", String(64), nullable=False),
    Column("entity_id", String(64), nullable=False),
    Column("area_code", area_code_type(), nullable=True),
    Column("request_id", String(100), nullable=True),
    Column("details", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
)
Index("ix_audit_log_entity", audit_log.c.entity, audit_log.c.entity_id)
