"""The employed-in-year rule, in one place, as SQL so the API and the bulk path share it.

A labourer counts as employed in year Y when their spells, together, cover at least
`EMPLOYMENT_EMPLOYED_MIN_MONTHS` months of 30 days of Y (3 months = 90 days by default). A day
counts once however many spells cover it; a spell without an end date is a current job and
counts to the end of the year. The place class of an employed labourer is the one with the most
days in Y (a tie goes to the farther place: out of province, then in province, then in county).

`recount` keeps `labourer_years` and the `employed` figures exact in the caller's transaction:
a row is stored for every year a spell touches, an open job reaching the labourer's last year on
record (the latest start or end date of their spells). A job still open from an earlier year
has no stored row for later years until the next spell write, yet its labourer is employed for
the whole of every later year (by the rule above). So that the figures stay exact across New
Year without a nightly job, `recount` also keeps the carried open jobs (`CARRIED`): per village,
the labourers with an open job by their last year on record L and the place of that job (the
farthest of their open jobs), stored under year -L (the only negative years); a year Y adds
those with L < Y (`carried_open_jobs` in figures/repository.py). What a write changed is not
known per labourer (the spells are already written when `recount` runs), so the villages of the
labourers recounted are counted again from their spells and moved by the difference, which in
READ COMMITTED is this transaction's own change.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Uuid, bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

# Each spell cut into the calendar years it touches. An open job reaches the labourer's last
# year on record (the latest start or end of any of their spells).
_PIECES_OF_SPELLS = """
spell AS (
    SELECT s.labourer_id, s.area_code, s.place_class, s.start_date, s.end_date,
           max(extract(year FROM coalesce(s.end_date, s.start_date)))
               OVER (PARTITION BY s.labourer_id) AS last_year
    FROM employment_spells AS s
    WHERE s.labourer_id {members}
),
piece AS (
    SELECT labourer_id, area_code, place_class, start_date, end_date,
           generate_series(extract(year FROM start_date)::int,
                           coalesce(extract(year FROM end_date), last_year)::int) AS year
    FROM spell
)"""

# The spells of some labourers cut to one year.
_PIECES_OF_YEAR = """
piece AS (
    SELECT s.labourer_id, s.area_code, s.place_class, s.start_date, s.end_date,
           CAST(:year AS int) AS year
    FROM employment_spells AS s
    WHERE s.labourer_id = ANY(:labourer_ids)
      AND s.start_date <= make_date(:year, 12, 31)
      AND (s.end_date IS NULL OR s.end_date >= make_date(:year, 1, 1))
)"""

# Days a piece adds beyond the pieces before it (ordered by first day), to the year and to its
# place class: the union of intervals by one sort, with no day counted twice.
_COMPUTE = """
clipped AS (
    SELECT labourer_id, area_code, place_class, year,
           greatest(start_date, make_date(year, 1, 1)) AS first_day,
           least(coalesce(end_date, make_date(year, 12, 31)), make_date(year, 12, 31))
               AS last_day
    FROM piece
),
added AS (
    SELECT labourer_id, area_code, place_class, year,
           -- greatest() ignores the NULL of a first piece, which adds all its days
           greatest(0, last_day - greatest(first_day, max(last_day) OVER whole + 1) + 1)
               AS days,
           greatest(0, last_day - greatest(first_day, max(last_day) OVER by_place + 1) + 1)
               AS place_days
    FROM clipped
    WINDOW whole AS (PARTITION BY labourer_id, year ORDER BY first_day, last_day
                     ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING),
           by_place AS (PARTITION BY labourer_id, year, place_class ORDER BY first_day, last_day
                        ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
),
per_year AS (
    SELECT labourer_id, year, max(area_code) AS area_code,
           sum(days) AS worked_days,
           coalesce(sum(place_days) FILTER (WHERE place_class = 'in_county'), 0)
               AS days_in_county,
           coalesce(sum(place_days) FILTER (WHERE place_class = 'in_province'), 0)
               AS days_in_province,
           coalesce(sum(place_days) FILTER (WHERE place_class = 'out_of_province'), 0)
               AS days_out_of_province
    FROM added
    GROUP BY labourer_id, year
),
fresh AS (
    SELECT labourer_id, CAST(year AS smallint) AS year, area_code,
           CAST(worked_days AS smallint) AS worked_days,
           CAST(days_in_county AS smallint) AS days_in_county,
           CAST(days_in_province AS smallint) AS days_in_province,
           CAST(days_out_of_province AS smallint) AS days_out_of_province,
           worked_days >= :min_days AS employed,
           CASE WHEN worked_days < :min_days THEN NULL
                WHEN days_out_of_province >= greatest(days_in_province, days_in_county)
                    THEN 'out_of_province'
                WHEN days_in_province >= days_in_county THEN 'in_province'
                ELSE 'in_county' END AS place_class
    FROM per_year
)"""

_RECOUNT = """
WITH {years},
{compute},
stored AS (
    SELECT * FROM labourer_years WHERE labourer_id {members}
),
contribution AS (
    SELECT area_code, year, 'employed' AS metric, 1 AS delta FROM fresh WHERE employed
    UNION ALL SELECT area_code, year, 'employed:' || place_class, 1 FROM fresh WHERE employed
    UNION ALL SELECT area_code, year, 'employed', -1 FROM stored WHERE employed
    UNION ALL SELECT area_code, year, 'employed:' || place_class, -1 FROM stored WHERE employed
),
bumped AS (
    INSERT INTO area_figures AS f (area_code, year, metric, value)
    SELECT area_code, year, metric, sum(delta) FROM contribution
    GROUP BY area_code, year, metric
    HAVING sum(delta) <> 0
    ORDER BY area_code, year, metric COLLATE "C"  -- the order of `bump`: no crosswise locks
    ON CONFLICT (area_code, year, metric) DO UPDATE SET value = f.value + excluded.value
    RETURNING 1
),
gone AS (
    DELETE FROM labourer_years AS ly
    WHERE ly.labourer_id {members}
      AND NOT EXISTS (SELECT 1 FROM fresh WHERE fresh.labourer_id = ly.labourer_id
                                          AND fresh.year = ly.year)
    RETURNING 1
)
INSERT INTO labourer_years AS ly
    (labourer_id, year, area_code, worked_days, days_in_county, days_in_province,
     days_out_of_province, employed, place_class)
SELECT labourer_id, year, area_code, worked_days, days_in_county, days_in_province,
       days_out_of_province, employed, place_class
FROM fresh
ON CONFLICT (labourer_id, year) DO UPDATE SET
    area_code = excluded.area_code,
    worked_days = excluded.worked_days,
    days_in_county = excluded.days_in_county,
    days_in_province = excluded.days_in_province,
    days_out_of_province = excluded.days_out_of_province,
    employed = excluded.employed,
    place_class = excluded.place_class
"""

CARRIED = "carried_open_jobs"  # `carried_open_jobs:<place class>`, year -L

# The carried open jobs of the villages where the labourers `labourer_id {members}` have spells,
# counted again from the spells and moved by the difference from the stored ones.
_CARRY = """
WITH village AS (
    SELECT DISTINCT area_code FROM employment_spells WHERE labourer_id {members}
),
open_job AS (
    SELECT DISTINCT ON (s.labourer_id) s.labourer_id, s.area_code, s.place_class
    FROM employment_spells AS s
    WHERE s.end_date IS NULL AND s.area_code IN (SELECT area_code FROM village)
    ORDER BY s.labourer_id,
             CASE s.place_class WHEN 'out_of_province' THEN 0 WHEN 'in_province' THEN 1 ELSE 2 END
),
counted AS (
    SELECT o.area_code,
           -CAST((SELECT max(extract(year FROM coalesce(e.end_date, e.start_date)))
                  FROM employment_spells AS e WHERE e.labourer_id = o.labourer_id) AS smallint)
               AS year,
           'carried_open_jobs:' || o.place_class AS metric, 1 AS value
    FROM open_job AS o
    UNION ALL
    SELECT area_code, year, metric, -value FROM area_figures
    WHERE area_code IN (SELECT area_code FROM village) AND year < 0
)
INSERT INTO area_figures AS f (area_code, year, metric, value)
SELECT area_code, year, metric, sum(value) FROM counted
GROUP BY area_code, year, metric
HAVING sum(value) <> 0
ORDER BY area_code, year, metric COLLATE "C"  -- the order of `bump`: no crosswise locks
ON CONFLICT (area_code, year, metric) DO UPDATE SET value = f.value + excluded.value
"""


_ONE = f"WITH {_PIECES_OF_YEAR},\n{_COMPUTE}\nSELECT * FROM fresh"


def _recount(members: str) -> str:
    """The recount statement for the labourers `labourer_id {members}` selects."""
    return _RECOUNT.format(
        years=_PIECES_OF_SPELLS.format(members=members), compute=_COMPUTE, members=members
    )


_IDS = bindparam("labourer_ids", type_=ARRAY(Uuid()))


@dataclass(frozen=True)
class WorkInYear:
    """A labourer's work in one year, by the rule above."""

    year: int
    worked_days: int
    days_in_county: int
    days_in_province: int
    days_out_of_province: int
    employed: bool
    place_class: str | None


async def recount(
    session: AsyncSession, labourer_ids: Sequence[uuid.UUID], *, min_days: int
) -> None:
    """Recompute the stored years of these labourers (whose rows the caller has locked), move
    the `employed` figures by the difference and count their villages' carried open jobs again."""
    if not labourer_ids:
        return
    statement = text(_recount("= ANY(:labourer_ids)")).bindparams(_IDS)
    await session.execute(statement, {"labourer_ids": list(labourer_ids), "min_days": min_days})
    carry = text(_CARRY.format(members="= ANY(:labourer_ids)")).bindparams(_IDS)
    await session.execute(carry, {"labourer_ids": list(labourer_ids)})


async def recount_staged(session: AsyncSession, staging_table: str, *, min_days: int) -> None:
    """`recount` for the labourers named in a bulk load's staging table (locked by the caller)."""
    members = f"IN (SELECT labourer_id FROM {staging_table})"
    await session.execute(text(_recount(members)), {"min_days": min_days})
    await session.execute(text(_CARRY.format(members=members)))


async def work_in_year(
    session: AsyncSession, labourer_id: uuid.UUID, year: int, *, min_days: int
) -> WorkInYear:
    """One labourer's work in one year, computed from the spells now."""
    statement = text(_ONE).bindparams(_IDS)
    row = (
        await session.execute(
            statement, {"labourer_ids": [labourer_id], "year": year, "min_days": min_days}
        )
    ).one_or_none()
    if row is None:
        return WorkInYear(year, 0, 0, 0, 0, False, None)
    return WorkInYear(
        year=year,
        worked_days=row.worked_days,
        days_in_county=row.days_in_county,
        days_in_province=row.days_in_province,
        days_out_of_province=row.days_out_of_province,
        employed=row.employed,
        place_class=row.place_class,
    )
