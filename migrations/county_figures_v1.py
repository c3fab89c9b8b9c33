"""County figures (县级汇总) as first created in monitoring and employment (frozen: later changes
get their own revisions).

The figures are stored per village (`area_figures`); a province's county table summed ~500,000
village rows at read time. Beside them, a table of the same figures per county, kept by a
trigger on the village figures in the writing transaction, so every path that writes figures
(the ORM rollups, the bulk SQL of imports, feeds and bulk loads) keeps it without knowing it.

A writer adds its change to its own row of the figure: `slot` is the writer's backend process
id, unique among the transactions running at the same moment, so writers in one county never
wait on each other's county row (nor lock such rows crosswise: a lock order could not be kept
across the village rows of a transaction). `fold` moves the rows of past writers into slot 0,
one row per figure, so a reader sums about one row per figure and county: it skips the rows a
running transaction holds (`SKIP LOCKED`) and only ever waits on slot-0 rows, which only a
fold writes (one fold at a time), so it never waits on a writer. The value of a figure is the
sum of its slots whether folded or not.

Truncating the village figures empties the county figures too (test and benchmark resets).

`create_fold` alone serves the funds service's county figures, whose writers spread over slots
1 to 16 by record.
"""

from __future__ import annotations

from alembic import op

COUNTY = "rpad(left({code}, 6), 12, '0')"


def create(figures: str, counties: str, value_type: str) -> None:
    """Create `counties` (county_code, year, metric, slot, value) for `figures` (area_code,
    year, metric, value), its trigger, its fold function (`<counties>_fold(max_rows)`: folds at
    most that many rows, answers how many) and the backfill."""
    op.execute(
        f"""
        CREATE TABLE {counties} (
            county_code varchar(12) COLLATE "C" NOT NULL,
            year smallint NOT NULL,
            metric varchar(60) NOT NULL,
            slot integer NOT NULL,
            value {value_type} NOT NULL,
            CONSTRAINT pk_{counties} PRIMARY KEY (county_code, year, metric, slot)
        )
        """
    )
    county = COUNTY.format(code="coalesce(NEW.area_code, OLD.area_code)")
    op.execute(
        f"""
        CREATE FUNCTION {counties}_record() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'TRUNCATE' THEN
                IF EXISTS (SELECT FROM {counties}) THEN
                    TRUNCATE {counties};
                END IF;
                RETURN NULL;
            END IF;
            IF TG_OP = 'UPDATE' AND NEW.value = OLD.value THEN
                RETURN NULL;
            END IF;
            INSERT INTO {counties} AS c (county_code, year, metric, slot, value)
            VALUES ({county}, coalesce(NEW.year, OLD.year), coalesce(NEW.metric, OLD.metric),
                    pg_backend_pid(), coalesce(NEW.value, 0) - coalesce(OLD.value, 0))
            ON CONFLICT (county_code, year, metric, slot)
                DO UPDATE SET value = c.value + excluded.value;
            RETURN NULL;
        END $$
        """
    )
    op.execute(
        f"CREATE TRIGGER {counties}_record AFTER INSERT OR UPDATE OR DELETE ON {figures} "
        f"FOR EACH ROW EXECUTE FUNCTION {counties}_record()"
    )
    op.execute(
        f"CREATE TRIGGER {counties}_reset AFTER TRUNCATE ON {figures} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {counties}_record()"
    )
    create_fold(counties)
    op.execute(
        f"INSERT INTO {counties} (county_code, year, metric, slot, value) "
        f"SELECT {COUNTY.format(code='area_code')}, year, metric, 0, sum(value) FROM {figures} "
        "GROUP BY 1, 2, 3"
    )


def create_fold(table: str) -> None:
    """`<table>_fold(max_rows)` for a table of (county_code, year, metric, slot, value) whose
    writers never write slot 0: moves at most `max_rows` rows of other slots, skipping those a
    running transaction holds, into slot 0 and answers how many it moved (0 while another fold
    runs)."""
    op.execute(
        f"""
        CREATE FUNCTION {table}_fold(max_rows integer) RETURNS integer
        LANGUAGE plpgsql AS $$
        DECLARE
            folded integer;
        BEGIN
            IF NOT pg_try_advisory_xact_lock(hashtext('{table}_fold')) THEN
                RETURN 0;
            END IF;
            WITH picked AS (
                SELECT county_code, year, metric, slot FROM {table}
                WHERE slot <> 0
                ORDER BY county_code, year, metric, slot
                LIMIT max_rows
                FOR UPDATE SKIP LOCKED
            ), moved AS (
                DELETE FROM {table} AS c USING picked AS p
                WHERE (c.county_code, c.year, c.metric, c.slot)
                    = (p.county_code, p.year, p.metric, p.slot)
                RETURNING c.county_code, c.year, c.metric, c.value
            ), added AS (
                INSERT INTO {table} AS c (county_code, year, metric, slot, value)
                SELECT county_code, year, metric, 0, sum(value) FROM moved
                GROUP BY county_code, year, metric
                ON CONFLICT (county_code, year, metric, slot)
                    DO UPDATE SET value = c.value + excluded.value
            )
            SELECT count(*) INTO folded FROM moved;
            RETURN folded;
        END $$
        """
    )


def drop(figures: str, counties: str) -> None:
    op.execute(f"DROP TRIGGER {counties}_reset ON {figures}")
    op.execute(f"DROP TRIGGER {counties}_record ON {figures}")
    drop_fold(counties)
    op.execute(f"DROP FUNCTION {counties}_record()")
    op.execute(f"DROP TABLE {counties}")


def drop_fold(table: str) -> None:
    op.execute(f"DROP FUNCTION {table}_fold(integer)")
