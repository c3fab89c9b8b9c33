"""The indicators benchmark's money (衔接资金): allocations from the four levels, projects of
every status, one fund link per decided project and its payments, COPYed straight into the
funds database (the service has no bulk path; one API call per payment would take hours).

The rows keep the service's own invariants (a link's payments never exceed the link, an
allocation's links never exceed the allocation; the running totals `linked` and `paid` are
the sums of the rows), and `fund_figures` is then computed with SQL from the rows, as the
service's writes would have bumped it (services/funds/figures/rollups.py): allocated and
allocated by level per allocation year, linked and linked by category per link year, paid
per payment year, projects by status per project year, each in the slot of the record the
service uses (the last hex digit of its id: `uuid.int % 16 + 1`). Project transitions, assets and
the change feed are not written: no indicator reads them.
"""

from __future__ import annotations

import random
import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from bench.funds_columns import LINK_COLUMNS, PROJECT_COLUMNS
from bench.indicators_setup import YEAR, Province

if TYPE_CHECKING:
    import asyncpg

FUNDS_TABLES = (
    "payments",
    "fund_links",
    "project_transitions",
    "assets",
    "projects",
    "allocations",
    "fund_figures",
    "changes",
    "idempotency_keys",
)
LEVELS = ("central", "provincial", "municipal", "county")
LEVEL_SHARES = (0.55, 0.25, 0.08, 0.12)
CATEGORIES = ("industry", "employment", "infrastructure", "other")
CATEGORY_WEIGHTS = (60, 10, 22, 8)
# Proposed and reviewed projects are still in the library; rejected and cancelled never got
# money; the rest were decided and linked.
STATUSES = ("proposed", "reviewed", "approved", "rejected", "started", "completed", "accepted")
STATUS_WEIGHTS = (6, 6, 10, 2, 38, 20, 18)
LINKED_STATUSES = frozenset({"approved", "started", "completed", "accepted"})
CENT = Decimal("0.01")
FIRST_DAY = date(YEAR, 1, 10)

ALLOCATION_COLUMNS = [
    "id",
    "area_code",
    "year",
    "level",
    "document_number",
    "issued_on",
    "amount",
    "kind",
    "reversed",
    "linked",
    "created_by",
    "version",
]
PAYMENT_COLUMNS = [
    "id",
    "link_id",
    "project_id",
    "area_code",
    "county_code",
    "year",
    "amount",
    "kind",
    "voucher_number",
    "paid_on",
    "refunded",
    "created_by",
    "version",
]


class CountyBooks:
    """One county's rows, built so that every running total is the sum of its rows."""

    def __init__(self, county: str, rng: random.Random) -> None:
        self.county = county
        self.rng = rng
        self.projects: list[tuple[object, ...]] = []
        self.links: list[tuple[object, ...]] = []
        self.payments: list[tuple[object, ...]] = []
        self.allocations: list[tuple[object, ...]] = []
        self.linked_by_level = dict.fromkeys(LEVELS, Decimal(0))
        self.allocation_ids = {level: uuid.uuid4() for level in LEVELS}

    def project(self, number: int, village: str) -> uuid.UUID | None:
        """A project; the id of its link when it was decided and linked."""
        rng = self.rng
        project_id = uuid.uuid4()
        status = rng.choices(STATUSES, STATUS_WEIGHTS)[0]
        category = rng.choices(CATEGORIES, CATEGORY_WEIGHTS)[0]
        amount = Decimal(rng.randrange(50, 2000) * 1000)
        start = FIRST_DAY + timedelta(days=rng.randrange(0, 120))
        self.projects.append(
            (
                project_id,
                village,
                self.county,
                YEAR,
                f"{YEAR}年项目{number}",
                category,
                "乡镇人民政府",
                start,
                start + timedelta(days=rng.randrange(60, 300)),
                amount,
                rng.randrange(5, 200),
                rng.randrange(15, 700),
                status,
                "bench",
                1,
            )
        )
        if status not in LINKED_STATUSES:
            return None
        level = rng.choices(LEVELS, LEVEL_SHARES)[0]
        self.linked_by_level[level] += amount
        link_id = uuid.uuid4()
        self.links.append(
            (
                link_id,
                self.allocation_ids[level],
                project_id,
                village,
                self.county,
                YEAR,
                category,
                amount,
                "original",
                start,
                Decimal(0),
                Decimal(0),
                "bench",
                1,
            )
        )
        return link_id

    def pay(self, link_index: int, count: int) -> None:
        """`count` payments against a link, together 30% to 100% of it."""
        rng = self.rng
        link = list(self.links[link_index])
        amount: Decimal = link[7]  # type: ignore[assignment]
        cents = int(amount * rng.randrange(30, 101))  # 30% to 100% of the link, in fen
        cuts = sorted(rng.sample(range(1, cents), count - 1))
        paid = Decimal(0)
        for low, high in zip([0, *cuts], [*cuts, cents], strict=True):
            piece = Decimal(high - low) / 100
            paid += piece
            day = link[9] + timedelta(days=rng.randrange(0, 200))  # type: ignore[operator]
            self.payments.append(
                (
                    uuid.uuid4(),
                    link[0],
                    link[2],
                    link[3],
                    self.county,
                    YEAR,
                    piece,
                    "original",
                    f"记-{YEAR}-{len(self.payments):06d}",
                    min(day, date(YEAR, 11, 20)),
                    Decimal(0),
                    "bench",
                    1,
                )
            )
        link[11] = paid
        self.links[link_index] = tuple(link)

    def close(self) -> None:
        """One allocation per level, 10% to 40% more than what was linked from it."""
        for position, level in enumerate(LEVELS):
            linked = self.linked_by_level[level]
            amount = (linked * Decimal(self.rng.randrange(110, 141)) / 100).quantize(CENT)
            self.allocations.append(
                (
                    self.allocation_ids[level],
                    self.county,
                    YEAR,
                    level,
                    f"豫财农〔{YEAR}〕{position + 1}号",
                    FIRST_DAY,
                    max(amount, Decimal(1000)),
                    "original",
                    Decimal(0),
                    linked,
                    "bench",
                    1,
                )
            )


def books(province: Province, projects: int, payments: int, seed: int = 20261123) -> CountyBooks:
    """All counties' rows in one set of books (the county of each row is in the row)."""
    rng = random.Random(seed)
    counties = province.county_codes
    villages = province.villages()
    every = CountyBooks("", rng)
    by_county = {county: CountyBooks(county, rng) for county in counties}
    link_places: list[tuple[CountyBooks, int]] = []
    for number in range(projects):
        county_books = by_county[counties[number % len(counties)]]
        village = villages[number % len(villages)]
        if county_books.project(number, village) is not None:
            link_places.append((county_books, len(county_books.links) - 1))
    for position, (county_books, index) in enumerate(link_places):
        share = payments // len(link_places) + (position < payments % len(link_places))
        if share:
            county_books.pay(index, share)
    for county_books in by_county.values():
        county_books.close()
        every.projects += county_books.projects
        every.links += county_books.links
        every.payments += county_books.payments
        every.allocations += county_books.allocations
    return every


SLOT = "('x' || right({id}::text, 1))::bit(4)::int + 1"
FIGURES = f"""
INSERT INTO fund_figures (county_code, year, metric, slot, value)
SELECT county_code, year, metric, slot, sum(value) FROM (
    SELECT area_code AS county_code, year, m.metric, {SLOT.format(id="id")} AS slot,
           amount AS value
    FROM allocations, LATERAL (VALUES ('allocated'), ('allocated:' || level)) AS m(metric)
    UNION ALL
    SELECT county_code, year, m.metric, {SLOT.format(id="allocation_id")}, amount
    FROM fund_links, LATERAL (VALUES ('linked'), ('linked:' || category)) AS m(metric)
    UNION ALL
    SELECT county_code, year, 'paid', {SLOT.format(id="link_id")}, amount FROM payments
    UNION ALL
    SELECT county_code, year, 'projects:' || status, {SLOT.format(id="id")}, 1 FROM projects
) AS contribution
GROUP BY county_code, year, metric, slot
"""


async def load(funds: asyncpg.Connection, province: Province, projects: int, payments: int) -> None:
    rows = books(province, projects, payments)
    await funds.execute(f"TRUNCATE {', '.join(FUNDS_TABLES)} RESTART IDENTITY CASCADE")
    async with funds.transaction():
        for table, records, columns in (
            ("allocations", rows.allocations, ALLOCATION_COLUMNS),
            ("projects", rows.projects, PROJECT_COLUMNS),
            ("fund_links", rows.links, LINK_COLUMNS),
            ("payments", rows.payments, PAYMENT_COLUMNS),
        ):
            await funds.copy_records_to_table(table, records=records, columns=columns)
        await funds.execute(FIGURES)
    for table in ("allocations", "projects", "fund_links", "payments", "fund_figures"):
        await funds.execute(f"VACUUM ANALYZE {table}")
    print(
        f"- funds: {len(rows.allocations):,} allocations, {len(rows.projects):,} projects, "
        f"{len(rows.links):,} links, {len(rows.payments):,} payments (COPY; figures by SQL)"
    )


async def loaded(funds: asyncpg.Connection, projects: int, payments: int) -> bool:
    found = await funds.fetchrow(
        "SELECT (SELECT count(*) FROM projects) AS projects, "
        "(SELECT count(*) FROM payments) AS payments"
    )
    return found is not None and (found["projects"], found["payments"]) == (projects, payments)
