"""Closed days (结转) of the dated figures, as first created in the three services (frozen: later
changes get their own revisions).

A value as of a past day was the sum of the rows of the dated deltas up to that day (monitoring
and employment: `area_figure_days`, per village; funds: `fund_figure_days`, per county and
slot): for a province, every village's every changed day since the start, several million rows
a year (7.5 s for one year of 30,000 villages on 2 cores, past the gateway's 2 s deadline).
A past day's deltas never change once no transaction that began on it is running (a writer
dates its change by its transaction's start), so the service closes such days: it adds their
deltas, summed per county, to `county_figure_days`, and each month whose days are all closed,
summed per county, to `county_figure_months` (services/common/closed_figures.py). A past day
is then read from the closed months before it, the closed days of its own month and the
service's own rows of the days not closed yet, found through the index on `day`.

`figure_days_closed` holds the last closed day (no row: none closed). Truncating the dated
deltas empties all three (test and benchmark resets).
"""

from __future__ import annotations

from alembic import op

COUNTY_DAYS = "county_figure_days"
COUNTY_MONTHS = "county_figure_months"
CLOSED = "figure_days_closed"
KEYS = """
    county_code varchar(12) COLLATE "C" NOT NULL,
    year smallint NOT NULL,
    metric varchar(60) NOT NULL
"""


def create(days: str, value_type: str) -> None:
    """Create the closing tables beside `days` (its code, year, metric, day, delta), the index on
    its `day` and the trigger that empties them when `days` is truncated."""
    op.execute(f"CREATE INDEX ix_{days}_day ON {days} (day)")
    op.execute(
        f"""
        CREATE TABLE {COUNTY_DAYS} (
            {KEYS},
            day date NOT NULL,
            delta {value_type} NOT NULL,
            CONSTRAINT pk_{COUNTY_DAYS} PRIMARY KEY (day, county_code, year, metric)
        )
        """
    )
    op.execute(
        f"""
        CREATE TABLE {COUNTY_MONTHS} (
            {KEYS},
            month date NOT NULL,
            delta {value_type} NOT NULL,
            CONSTRAINT pk_{COUNTY_MONTHS} PRIMARY KEY (month, county_code, year, metric),
            CONSTRAINT ck_{COUNTY_MONTHS}_first_day CHECK (extract(day FROM month) = 1)
        )
        """
    )
    op.execute(
        f"""
        CREATE TABLE {CLOSED} (
            one boolean PRIMARY KEY DEFAULT true CHECK (one),
            through date NOT NULL
        )
        """
    )
    op.execute(
        f"""
        CREATE FUNCTION {days}_reopen() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            -- Skipped when the same statement truncated them too.
            IF EXISTS (SELECT FROM {CLOSED}) OR EXISTS (SELECT FROM {COUNTY_DAYS})
               OR EXISTS (SELECT FROM {COUNTY_MONTHS}) THEN
                TRUNCATE {CLOSED}, {COUNTY_DAYS}, {COUNTY_MONTHS};
            END IF;
            RETURN NULL;
        END $$
        """
    )
    op.execute(
        f"CREATE TRIGGER {days}_reopen AFTER TRUNCATE ON {days} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {days}_reopen()"
    )


def drop(days: str) -> None:
    op.execute(f"DROP TRIGGER {days}_reopen ON {days}")
    op.execute(f"DROP FUNCTION {days}_reopen()")
    op.execute(f"DROP TABLE {CLOSED}, {COUNTY_DAYS}, {COUNTY_MONTHS}")
    op.execute(f"DROP INDEX ix_{days}_day")
