"""Statement-level roll-ups of the area figures (frozen: later changes get their own revisions).

The dated figures (figure_days_v1) and the county figures (county_figures_v1) were kept by two
row-level triggers on `area_figures`: two PL/pgSQL upserts per changed figure row, about 37 µs
of PostgreSQL's CPU a row, which the bulk paths (department feeds, imports, bulk loads) pay for
thousands of rows a statement. Here one statement-level trigger per event reads the
statement's changed rows (its transition tables), sums them per day row and per county row,
and upserts each once, in key order, so lock order stays the same for every writer. The
TRUNCATE triggers stay as they were.
"""

from __future__ import annotations

from alembic import op

from migrations.county_figures_v1 import COUNTY
from migrations.figure_days_v1 import BUSINESS_DAY

KEYS = "area_code, year, metric"
# The changed rows of a statement as (area_code, year, metric, v), per event.
CHANGED = {
    "INSERT": f"SELECT {KEYS}, value AS v FROM new_rows",
    "UPDATE": (
        f"SELECT {KEYS}, value AS v FROM new_rows UNION ALL SELECT {KEYS}, -value FROM old_rows"
    ),
    "DELETE": f"SELECT {KEYS}, -value AS v FROM old_rows",
}
TRANSITIONS = {
    "INSERT": "NEW TABLE AS new_rows",
    "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "DELETE": "OLD TABLE AS old_rows",
}


def _upserts(changed: str, days: str, counties: str) -> str:
    county = COUNTY.format(code="area_code")
    return f"""
        INSERT INTO {days} AS d ({KEYS}, day, delta)
        SELECT {KEYS}, {BUSINESS_DAY}, sum(v) FROM ({changed}) AS c
        GROUP BY {KEYS} HAVING sum(v) <> 0 ORDER BY {KEYS}
        ON CONFLICT ({KEYS}, day) DO UPDATE SET delta = d.delta + excluded.delta;
        INSERT INTO {counties} AS k (county_code, year, metric, slot, value)
        SELECT {county}, year, metric, pg_backend_pid(), sum(v) FROM ({changed}) AS c
        GROUP BY 1, 2, 3 HAVING sum(v) <> 0 ORDER BY 1, 2, 3
        ON CONFLICT (county_code, year, metric, slot)
            DO UPDATE SET value = k.value + excluded.value;
    """


def create(figures: str, days: str, counties: str) -> None:
    """Replace the row-level triggers `<days>_record` and `<counties>_record` on `figures` by
    `<figures>_roll_up_<event>` statement-level ones."""
    op.execute(
        f"""
        CREATE FUNCTION {figures}_roll_up() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                {_upserts(CHANGED["INSERT"], days, counties)}
            ELSIF TG_OP = 'UPDATE' THEN
                {_upserts(CHANGED["UPDATE"], days, counties)}
            ELSE
                {_upserts(CHANGED["DELETE"], days, counties)}
            END IF;
            RETURN NULL;
        END $$
        """
    )
    for event, transition in TRANSITIONS.items():
        op.execute(
            f"CREATE TRIGGER {figures}_roll_up_{event.lower()} AFTER {event} ON {figures} "
            f"REFERENCING {transition} FOR EACH STATEMENT EXECUTE FUNCTION {figures}_roll_up()"
        )
    op.execute(f"DROP TRIGGER {days}_record ON {figures}")
    op.execute(f"DROP TRIGGER {counties}_record ON {figures}")


def drop(figures: str, days: str, counties: str) -> None:
    """Back to the row-level triggers (their functions were kept: TRUNCATE still uses them)."""
    for name in (days, counties):
        op.execute(
            f"CREATE TRIGGER {name}_record AFTER INSERT OR UPDATE OR DELETE ON {figures} "
            f"FOR EACH ROW EXECUTE FUNCTION {name}_record()"
        )
    for event in TRANSITIONS:
        op.execute(f"DROP TRIGGER {figures}_roll_up_{event.lower()} ON {figures}")
    op.execute(f"DROP FUNCTION {figures}_roll_up()")
