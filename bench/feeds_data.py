"""The feed benchmark's batch: deterministic department records over the benchmark registry.

Half the records are about registered people (matched by their blind index), half about
people the registry does not hold (leads); 0.5% carry a wrong check digit (rejected). Events
are mixed the way a month of a province's data bureau might look: half inpatient stays and a
tenth chronic care, most with small out-of-pocket costs (85% under 5,000 yuan, 10% up to
20,000, 5% up to 80,000), then civil affairs, housing, education, disability, disasters and
water, which the default rules mostly raise on whatever the amount. About a third of the
records fire a rule. Record ids carry a tag of the run, so every run's records are new.
"""

from __future__ import annotations

import json
import random
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from bench.feeds_registry import PEOPLE, VILLAGES, person_number, village_of

# (source, event type, has an amount), picked by record number modulo 20.
EVENTS = (
    *[("medical_insurance", "inpatient", True)] * 10,
    *[("medical_insurance", "outpatient_chronic", True)] * 2,
    ("civil_affairs", "minimum_living_allowance", False),
    ("civil_affairs", "temporary_assistance", True),
    ("housing", "house_rated_c", False),
    ("education", "dropout", False),
    ("education", "school_costs", True),
    ("disability_federation", "new_certificate", False),
    ("emergency_management", "disaster_loss", True),
    ("water", "unsafe_drinking_water", False),
)
# Out-of-pocket cost bands (yuan) and their weights.
AMOUNT_BANDS = ((300, 5_000), (5_000, 20_000), (20_000, 80_000))
AMOUNT_WEIGHTS = (85, 10, 5)
DIAGNOSES = ("肺炎", "脑梗死", "冠心病", "慢性阻塞性肺病", "骨折", "糖尿病并发症", "恶性肿瘤")


@dataclass
class Batch:
    tag: str
    body: bytes  # NDJSON
    rows: list[tuple[Any, ...]]  # the same records as columns, for the COPY floor


def generate(records: int, seed: int = 20261123) -> Batch:
    randomness = random.Random(seed)
    tag = secrets.token_hex(4)
    first_day = date(2026, 8, 1)
    lines, rows = [], []
    for position in range(records):
        source, event_type, with_amount = EVENTS[position % len(EVENTS)]
        if position % 2 == 0:
            person = randomness.randrange(PEOPLE)
            number, village = person_number(person), village_of(person)
        else:
            number = person_number(randomness.randrange(PEOPLE), unregistered=True)
            village = VILLAGES[randomness.randrange(len(VILLAGES))]
        if position % 200 == 199:
            number = number[:-1] + ("0" if number[-1] != "0" else "1")
        amount = None
        if with_amount:
            low, high = randomness.choices(AMOUNT_BANDS, AMOUNT_WEIGHTS)[0]
            amount = str(Decimal(randomness.randrange(low * 100, high * 100)) / 100)
        details = (
            {"diagnosis": DIAGNOSES[position % len(DIAGNOSES)], "hospital": "县人民医院"}
            if source == "medical_insurance"
            else {"note": "月度比对"}
        )
        record = {
            "record_id": f"{tag}-{position}",
            "source": source,
            "person_number": number,
            "name": "王建国",
            "area_code": village,
            "event_type": event_type,
            "event_date": str(first_day + timedelta(days=position % 90)),
            "amount": amount,
            "details": details,
        }
        lines.append(json.dumps(record, ensure_ascii=False))
        rows.append(
            (
                source,
                record["record_id"],
                number,
                "王建国",
                village,
                event_type,
                first_day + timedelta(days=position % 90),
                Decimal(amount) if amount else None,
                json.dumps(details, ensure_ascii=False),
            )
        )
    return Batch(tag, ("\n".join(lines) + "\n").encode(), rows)
