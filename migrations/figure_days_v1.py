"""Dated figures (按日统计) as first created in the three services (frozen: later changes get
their own revisions).

Beside each table of current figures, a table of per-day deltas: a trigger on the figures table
adds every change of a figure (insert, update, delete) to the row of that figure for the
business day (Asia/Shanghai) of the writing transaction, in the same transaction. So every path
that writes figures, the ORM rollups as much as the bulk SQL of imports and feeds, dates its
changes without knowing it, and the value of a figure as of a day is the sum of its deltas up
to that day. Truncating the figures empties the deltas too (test and benchmark resets).

History before the migration is not known: the current figures are recorded as one delta on
the migration day.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

BUSINESS_DAY = "(now() AT TIME ZONE 'Asia/Shanghai')::date"


def create(figures: str, days: str, keys: Sequence[str], value: str, value_type: str) -> None:
    """Create `days` (keys, day, delta) for `figures` (keys, value), its trigger and the
    backfill."""
    key_list = ", ".join(keys)
    op.execute(
        f"""
        CREATE TABLE {days} (
            {", ".join(_key_columns(keys))},
            day date NOT NULL,
            delta {value_type} NOT NULL,
            CONSTRAINT pk_{days} PRIMARY KEY ({key_list}, day)
        )
        """
    )
    new_keys = ", ".join(f"coalesce(NEW.{key}, OLD.{key})" for key in keys)
    op.execute(
        f"""
        CREATE FUNCTION {days}_record() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'TRUNCATE' THEN
                -- Skipped when the same statement truncated both tables.
                IF EXISTS (SELECT FROM {days}) THEN
                    TRUNCATE {days};
                END IF;
                RETURN NULL;
            END IF;
            IF TG_OP = 'UPDATE' AND NEW.{value} = OLD.{value} THEN
                RETURN NULL;
            END IF;
            INSERT INTO {days} AS d ({key_list}, day, delta)
            VALUES ({new_keys}, {BUSINESS_DAY},
                    coalesce(NEW.{value}, 0) - coalesce(OLD.{value}, 0))
            ON CONFLICT ({key_list}, day) DO UPDATE SET delta = d.delta + excluded.delta;
            RETURN NULL;
        END $$
        """
    )
    op.execute(
        f"CREATE TRIGGER {days}_record AFTER INSERT OR UPDATE OR DELETE ON {figures} "
        f"FOR EACH ROW EXECUTE FUNCTION {days}_record()"
    )
    op.execute(
        f"CREATE TRIGGER {days}_reset AFTER TRUNCATE ON {figures} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {days}_record()"
    )
    op.execute(
        f"INSERT INTO {days} ({key_list}, day, delta) "
        f"SELECT {key_list}, {BUSINESS_DAY}, {value} FROM {figures} WHERE {value} <> 0"
    )


def drop(figures: str, days: str) -> None:
    op.execute(f"DROP TRIGGER {days}_reset ON {figures}")
    op.execute(f"DROP TRIGGER {days}_record ON {figures}")
    op.execute(f"DROP FUNCTION {days}_record()")
    op.execute(f"DROP TABLE {days}")


def _key_columns(keys: Sequence[str]) -> list[str]:
    types = {
        "area_code": 'varchar(12) COLLATE "C" NOT NULL',
        "county_code": 'varchar(12) COLLATE "C" NOT NULL',
        "year": "smallint NOT NULL",
        "metric": "varchar(60) NOT NULL",
        "slot": "smallint NOT NULL",
    }
    return [f"{key} {types[key]}" for key in keys]
