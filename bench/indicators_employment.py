"""The indicators benchmark's work and credit: labourers, employment spells, loans, targets.

- Labourers (务工劳动力) are working-age members of exited-poverty and monitored households of
  the monitoring register, COPYed into `labourers` as registration would have stored them (one
  registration is one look-up in monitoring; bench/employment_setup.py seeds them the same
  way), with the `labourers` figure computed from the rows.
- Employment spells go through the public bulk path (`POST /bulk/employment-spells`), which
  recounts the labourers' years and the figures itself.
- Loans go through the public bulk path (`POST /bulk/loans`), one per household, to a member
  aged 23 to 64 of an eligible household; they arrive waiting for their eligibility check.
  The check (`POST /loans/eligibility-checks`, one monitoring look-up per loan) is replaced by
  SQL that does what `acceptance.accept` does with the monitoring answer: the loan becomes
  outstanding for the borrower's household and village, an `issued` event, the household's
  new-loan year, and the figures it bumps (households with a loan outstanding, balance, new
  loans, households with a new loan, amount lent), summed from the rows.
- Employment targets per county go through `PUT /employment-targets/{county}/{year}`.
"""

from __future__ import annotations

import functools
import json
import random
import time
import uuid
from datetime import date, timedelta
from typing import TYPE_CHECKING

from bench.indicators_setup import PROVINCE, YEAR, Province, token

if TYPE_CHECKING:
    import asyncpg
    import httpx

    from services.common.personal_data.crypto import Keyring

EMPLOYMENT_TABLES = (
    "employment_spells",
    "labourer_years",
    "area_figures",
    "changes",
    "idempotency_keys",
    "loan_events",
    "loan_installments",
    "new_loan_households",
    "subsidies",
    "trainings",
    "loans",
    "labourers",
    "employment_targets",
)
# Members of eligible households (exited-poverty, or monitored) born between $1 and $2, able
# to work, in the order of their (random) ids; `{one}` keeps one member per household.
PEOPLE = """
SELECT {one} m.id AS member_id, m.household_id, m.area_code, m.person_number_cipher,
       m.person_number_index, m.person_number_masked, m.name, m.sex, m.birth_date,
       h.kind, h.monitoring_status, m.labour_ability
FROM members AS m JOIN households AS h ON h.id = m.household_id
WHERE (h.kind = 'exited_poverty' OR h.monitoring_status = 'monitored')
  AND m.birth_date BETWEEN $1 AND $2 AND m.labour_ability IN ('ordinary', 'skilled', 'weak')
ORDER BY {order}
LIMIT $3
"""
PLACES = ("in_county", "in_county", "in_province", "out_of_province", "out_of_province")
KINDS = ("enterprise", "enterprise", "enterprise", "self_employed")

ACCEPT = """
UPDATE loans AS l SET
    status = 'outstanding', area_code = s.area_code, household_id = s.household_id,
    borrower_member_id = s.member_id, household_kind = s.household_kind,
    monitoring_status = s.monitoring_status, pending_reason = NULL, checked_at = now(),
    check_attempts = l.check_attempts + 1, version = l.version + 1
FROM bench_standing AS s
WHERE l.borrower_index = s.person_number_index AND l.status = 'pending_eligibility'
"""
ISSUED_EVENTS = """
INSERT INTO loan_events (loan_id, kind, happened_on, amount, note, recorded_by, recorded_at)
SELECT id, 'issued', issue_date, amount, 'eligibility confirmed by the monitoring service',
       'user:bench-administrator', now()
FROM loans WHERE status = 'outstanding'
"""
NEW_LOAN_HOUSEHOLDS = """
INSERT INTO new_loan_households (household_id, year, area_code)
SELECT DISTINCT ON (household_id, extract(year FROM issue_date))
       household_id, extract(year FROM issue_date)::int, area_code
FROM loans WHERE status = 'outstanding'
ON CONFLICT DO NOTHING
"""
LOAN_FIGURES = """
INSERT INTO area_figures AS f (area_code, year, metric, value)
SELECT area_code, year, metric, sum(value) FROM (
    SELECT area_code, m.year, m.metric, m.value
    FROM loans, LATERAL (VALUES
        (0, 'households_loan_outstanding', 1::numeric),
        (0, 'loan_balance', amount),
        (extract(year FROM issue_date)::int, 'loans_new', 1::numeric),
        (extract(year FROM issue_date)::int, 'amount_lent', amount)
    ) AS m(year, metric, value)
    WHERE status = 'outstanding'
    UNION ALL
    SELECT area_code, year, 'households_new_loan', 1 FROM new_loan_households
) AS contribution
GROUP BY area_code, year, metric
ON CONFLICT (area_code, year, metric) DO UPDATE SET value = f.value + excluded.value
"""
LABOURER_FIGURES = """
INSERT INTO area_figures AS f (area_code, year, metric, value)
SELECT area_code, 0, 'labourers', count(*) FROM labourers GROUP BY area_code
ON CONFLICT (area_code, year, metric) DO UPDATE SET value = f.value + excluded.value
"""


async def clean(employment: asyncpg.Connection) -> None:
    await employment.execute(f"TRUNCATE {', '.join(EMPLOYMENT_TABLES)} RESTART IDENTITY CASCADE")


async def people(
    monitoring: asyncpg.Connection, born: tuple[date, date], count: int, *, per_household: bool
) -> list[asyncpg.Record]:
    """`count` members of eligible households (at most one per household if asked)."""
    query = PEOPLE.format(
        one="DISTINCT ON (m.household_id)" if per_household else "",
        order="m.household_id, m.id" if per_household else "m.id",
    )
    return list(await monitoring.fetch(query, *born, count))


@functools.cache
def _keyring() -> Keyring:
    from services.common.personal_data.crypto import Keyring
    from services.common.settings import CommonSettings

    settings = CommonSettings()
    return Keyring.from_setting(settings.data_keys, settings.data_key_current)


def reveal(cipher: bytes) -> str:
    """A member's ID number, decrypted with the (development) data keys."""
    from services.common.personal_data.protector import PERSON_NUMBER

    return _keyring().decrypt(cipher, PERSON_NUMBER)


async def seed_labourers(employment: asyncpg.Connection, chosen: list[asyncpg.Record]) -> list[str]:
    """The chosen members as labourers; their ID numbers."""
    await employment.copy_records_to_table(
        "labourers",
        records=[
            (
                uuid.uuid4(),
                row["area_code"],
                row["member_id"],
                row["household_id"],
                row["person_number_index"],
                row["person_number_masked"],
                row["name"],
                row["sex"],
                row["birth_date"],
                row["kind"],
                row["monitoring_status"],
                row["labour_ability"],
                1,
            )
            for row in chosen
        ],
        columns=[
            "id",
            "area_code",
            "member_id",
            "household_id",
            "person_number_index",
            "person_number_masked",
            "name",
            "sex",
            "birth_date",
            "household_kind",
            "monitoring_status",
            "labour_ability",
            "version",
        ],
    )
    await employment.execute(LABOURER_FIGURES)
    await employment.execute("ANALYZE labourers")
    return [reveal(row["person_number_cipher"]) for row in chosen]


def spell_lines(numbers: list[str], seed: int = 20261123) -> list[str]:
    rng = random.Random(seed)
    lines = []
    for position, number in enumerate(numbers):
        start = date(YEAR - 1, 6, 1) + timedelta(days=rng.randrange(0, 500))
        row = {
            "person_number": number,
            "employer": f"某企业{rng.randrange(5000)}",
            "place_class": rng.choice(PLACES),
            "kind": rng.choice(KINDS),
            "start_date": start.isoformat(),
            "monthly_wage": f"{rng.randrange(1800, 9000)}.00",
            "ref": str(position),
        }
        if rng.random() < 0.4:
            row["end_date"] = (start + timedelta(days=rng.randrange(60, 300))).isoformat()
        lines.append(json.dumps(row, ensure_ascii=False, separators=(",", ":")))
    return lines


def loan_lines(borrowers: list[tuple[str, str]], seed: int = 20261124) -> list[str]:
    """One loan per (ID number, name), issued from mid-2024 to this November."""
    rng = random.Random(seed)
    lines = []
    for position, (number, name) in enumerate(borrowers):
        issued = date(2024, 6, 1) + timedelta(days=rng.randrange(0, 900))
        row = {
            "person_number": number,
            "borrower_name": name,
            "bank": "农商银行",
            "amount": f"{rng.randrange(5, 51) * 1000}.00",
            "term_months": rng.choice((24, 36, 36)),
            "annual_rate": "3.45",
            "interest_subsidy_rate": "3.45",
            "issue_date": issued.isoformat(),
            "ref": f"bank-{position}",
        }
        lines.append(json.dumps(row, ensure_ascii=False, separators=(",", ":")))
    return lines


async def bulk(client: httpx.AsyncClient, path: str, lines: list[str], batch: int) -> None:
    """The lines through a bulk path, `batch` rows per upload; every row must be accepted."""
    from bench.monitoring_setup import pieces

    for first in range(0, len(lines), batch):
        headers = {**token("administrator", PROVINCE), "Content-Type": "application/x-ndjson"}
        body = ("\n".join(lines[first : first + batch]) + "\n").encode()
        started = time.perf_counter()
        answer = await client.post(
            path,
            content=pieces(body),
            headers={**headers, "Idempotency-Key": str(uuid.uuid4())},
            timeout=None,
        )
        assert answer.status_code == 200, answer.text[:500]
        report = answer.json()
        assert report["rejected"] == 0, str(report)[:800]
        rows = min(batch, len(lines) - first)
        elapsed = time.perf_counter() - started
        print(f"- {path}: {rows:,} rows in {elapsed:.0f} s", flush=True)


async def accept_loans(employment: asyncpg.Connection, borrowers: list[asyncpg.Record]) -> int:
    """What the eligibility check would do with the monitoring service's answers."""
    async with employment.transaction():
        await employment.execute(
            "CREATE TEMP TABLE bench_standing (person_number_index bytea PRIMARY KEY, "
            "household_id uuid, member_id uuid, area_code text, household_kind text, "
            "monitoring_status text) ON COMMIT DROP"
        )
        await employment.copy_records_to_table(
            "bench_standing",
            records=[
                (
                    row["person_number_index"],
                    row["household_id"],
                    row["member_id"],
                    row["area_code"],
                    row["kind"],
                    row["monitoring_status"],
                )
                for row in borrowers
            ],
        )
        accepted = int((await employment.execute(ACCEPT)).split()[-1])
        await employment.execute(ISSUED_EVENTS)
        await employment.execute(NEW_LOAN_HOUSEHOLDS)
        await employment.execute(LOAN_FIGURES)
    for table in ("loans", "loan_installments", "labourers", "employment_spells", "area_figures"):
        await employment.execute(f"VACUUM ANALYZE {table}")
    return accepted


async def set_targets(client: httpx.AsyncClient, province: Province, labourers: int) -> None:
    """Each county's target for the year: about its share of the labourers, a little more."""
    per_county = labourers * 11 // 10 // len(province.counties)
    for county in province.county_codes:
        answer = await client.put(
            f"/api/v1/employment-targets/{county}/{YEAR}",
            json={"target": per_county},
            headers=token("administrator", PROVINCE),
        )
        assert answer.status_code in (200, 201), answer.text[:300]


async def load(
    employment: asyncpg.Connection,
    monitoring: asyncpg.Connection,
    client: httpx.AsyncClient,
    province: Province,
    *,
    labourers: int,
    loans: int,
    batch: int,
) -> None:
    await clean(employment)
    candidates = await people(
        monitoring, (date(1966, 1, 1), date(2006, 1, 1)), labourers, per_household=False
    )
    numbers = await seed_labourers(employment, candidates)
    print(f"- labourers: {len(numbers):,} (COPY; figure by SQL)", flush=True)
    await bulk(client, "/api/v1/bulk/employment-spells", spell_lines(numbers), batch)
    borrowers = await people(
        monitoring, (date(1962, 1, 1), date(2001, 1, 1)), loans, per_household=True
    )
    assert len(borrowers) == loans, f"only {len(borrowers):,} eligible households for loans"
    lines = loan_lines([(reveal(row["person_number_cipher"]), row["name"]) for row in borrowers])
    await bulk(client, "/api/v1/bulk/loans", lines, batch)
    accepted = await accept_loans(employment, borrowers)
    await set_targets(client, province, labourers)
    print(f"- loans: {accepted:,} outstanding (bulk path; eligibility by SQL)", flush=True)


async def loaded(employment: asyncpg.Connection, labourers: int, loans: int) -> bool:
    found = await employment.fetchrow(
        "SELECT (SELECT count(*) FROM labourers) AS labourers, "
        "(SELECT count(*) FROM loans WHERE status = 'outstanding') AS loans, "
        "(SELECT count(*) FROM employment_targets) AS targets"
    )
    return (
        found is not None
        and (found["labourers"], found["loans"]) == (labourers, loans)
        and found["targets"] > 0
    )
