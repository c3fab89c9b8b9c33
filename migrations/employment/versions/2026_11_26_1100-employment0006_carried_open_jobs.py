"""Carried open jobs stored (spells/yearly.py): per village, the labourers with an open job by
their last year on record L and the place of that job, under year -L, counted from the spells
(the county figures follow through their trigger).

Revision ID: employment0006
Revises: employment0005
Create Date: 2026-11-26 11:00:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "employment0006"
down_revision: str | None = "employment0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        """
        INSERT INTO area_figures (area_code, year, metric, value)
        SELECT area_code, year, metric, count(*)
        FROM (
            SELECT DISTINCT ON (s.labourer_id) s.area_code,
                   -CAST((SELECT max(extract(year FROM coalesce(e.end_date, e.start_date)))
                          FROM employment_spells AS e WHERE e.labourer_id = s.labourer_id)
                         AS smallint) AS year,
                   'carried_open_jobs:' || s.place_class AS metric
            FROM employment_spells AS s
            WHERE s.end_date IS NULL
            ORDER BY s.labourer_id,
                     CASE s.place_class WHEN 'out_of_province' THEN 0
                                        WHEN 'in_province' THEN 1 ELSE 2 END
        ) AS open_job
        GROUP BY area_code, year, metric
        ORDER BY area_code, year, metric COLLATE "C"
        """
    )


def downgrade() -> None:
    op.execute("DELETE FROM area_figures WHERE year < 0")
