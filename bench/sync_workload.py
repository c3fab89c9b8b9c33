"""The field-sync benchmark's data: villages with an officer and a few households each, seeded
with the monitoring service's own models, and the simulated devices, which queue mixed
operations (create household, update household on a base version, add member, record a
visit), learn ids and versions from the outcomes, and resend earlier batches as the app does
after a lost answer. Everything the devices meant to write is tallied in `Intended`."""

from __future__ import annotations

import random
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bench import employment_setup as setup
from services.common.business_time import business_today

if TYPE_CHECKING:
    from fastapi import FastAPI

SEEDED_MEMBERS = 2  # per seeded household
CREATED_MEMBERS = 2  # per household a device creates
# Share of each operation kind in a batch (the rest are visits).
MIX = (("create_household", 0.15), ("update_household", 0.25), ("add_member", 0.2))
SEED_SERIALS = 1_000_000
DEVICE_SERIALS = 10_000_000  # + device * 100_000: ID numbers never collide


def villages(count: int) -> list[str]:
    """`count` villages of one county, 30 to a township."""
    return [f"411424{101 + i // 30:03d}{201 + i % 30:03d}" for i in range(count)]


@dataclass
class Known:
    """A household as its village's device last saw it."""

    id: str
    address: str
    version: int


@dataclass
class Intended:
    """What the devices meant the database to hold in the end."""

    households: int = 0
    members: int = 0
    visits: int = 0
    operations: int = 0
    addresses: dict[str, str] = field(default_factory=dict)


async def seed(
    app: FastAPI, codes: list[str], per_village: int, intended: Intended
) -> list[list[Known]]:
    """`per_village` households of two in each village, with their figures, as the registry
    holds them; the households of each village, in order."""
    from services.monitoring.figures.contribution import HouseholdState, record_state_change
    from services.monitoring.models import Household, Member

    protector = app.state.protector
    seeded: list[list[Known]] = []
    async with app.state.database.sessionmaker() as session:
        for v, code in enumerate(codes):
            mine = []
            for h in range(per_village):
                address = f"{h + 1}组{v}号"
                household = Household(
                    id=uuid.uuid4(),
                    area_code=code,
                    kind="exited_poverty",
                    head_name="王建国",
                    address=address,
                    monitoring_status="none",
                    risk_types=[],
                    member_count=SEEDED_MEMBERS,
                    version=1,
                )
                session.add(household)
                for m in range(SEEDED_MEMBERS):
                    serial = SEED_SERIALS + (v * per_village + h) * SEEDED_MEMBERS + m
                    number = protector.person_number(setup.person_number(serial))
                    session.add(
                        Member(
                            id=uuid.uuid4(),
                            household_id=household.id,
                            area_code=code,
                            person_number_cipher=number.cipher,
                            person_number_index=number.index,
                            person_number_masked=number.masked,
                            person_number_kind=number.parsed.kind,
                            name="王建国" if m == 0 else f"王成员{m}",
                            sex=number.parsed.sex,
                            birth_date=number.parsed.birth_date,
                            relationship="head" if m == 0 else "son",
                            labour_ability="ordinary",
                            version=1,
                        )
                    )
                await session.flush()
                await record_state_change(session, None, HouseholdState.of(household))
                mine.append(Known(str(household.id), address, 1))
                intended.addresses[str(household.id)] = address
            seeded.append(mine)
        await session.commit()
    intended.households += len(codes) * per_village
    intended.members += len(codes) * per_village * SEEDED_MEMBERS
    return seeded


class Device:
    """One village officer's phone: a queue of operations sent in batches."""

    def __init__(
        self, index: int, village: str, households: list[Known], intended: Intended
    ) -> None:
        self.index = index
        self.village = village
        self.headers = setup.token("village_officer", village)
        self.households = households
        self.intended = intended
        self.rng = random.Random(index)
        self.sent: list[list[dict[str, Any]]] = []
        self._serial = DEVICE_SERIALS + index * 100_000
        self._today = business_today().isoformat()
        self._created: dict[str, str] = {}  # create operation id -> address

    def next_batch(self, size: int) -> list[dict[str, Any]]:
        batch = [self._operation(len(self.sent), position) for position in range(size)]
        self.intended.operations += size
        return batch

    def learn(self, batch: list[dict[str, Any]], outcomes: list[dict[str, Any]]) -> None:
        """Ids of the households created and versions of those updated, as the app keeps."""
        for operation, outcome in zip(batch, outcomes, strict=True):
            if outcome["status"] not in ("applied", "already_applied"):
                continue
            record_id = outcome["record_id"]
            if operation["kind"] == "create_household" and record_id not in self.intended.addresses:
                address = self._created[operation["operation_id"]]
                self.households.append(Known(record_id, address, outcome["version"]))
                self.intended.addresses[record_id] = address
            elif operation["kind"] == "update_household":
                known = next(h for h in self.households if h.id == record_id)
                known.version = max(known.version, outcome["version"])

    def _operation(self, batch: int, position: int) -> dict[str, Any]:
        draw, operation_id = self.rng.random(), str(uuid.UUID(int=self.rng.getrandbits(128)))
        threshold = 0.0
        for kind, share in MIX:
            threshold += share
            if draw < threshold:
                return getattr(self, f"_{kind}")(operation_id, batch, position)
        return self._record_visit(operation_id, batch, position)

    def _create_household(self, operation_id: str, batch: int, position: int) -> dict[str, Any]:
        address = f"新{batch}组{position}号"
        self._created[operation_id] = address
        self.intended.households += 1
        self.intended.members += CREATED_MEMBERS
        members = [self._member("head" if m == 0 else "daughter") for m in range(CREATED_MEMBERS)]
        return {
            "operation_id": operation_id,
            "kind": "create_household",
            "household": {
                "area_code": self.village,
                "kind": "ordinary",
                "address": address,
                "members": members,
            },
        }

    def _update_household(self, operation_id: str, batch: int, position: int) -> dict[str, Any]:
        # The app knows the version of its last answer; members added since moved it on, so
        # many updates arrive stale and go through the field-level merge.
        known = self.rng.choice(self.households)
        address = f"改{batch}组{position}号"
        operation = {
            "operation_id": operation_id,
            "kind": "update_household",
            "household_id": known.id,
            "base_version": known.version,
            "changes": {"address": {"base": known.address, "value": address}},
        }
        known.address = address
        self.intended.addresses[known.id] = address
        return operation

    def _add_member(self, operation_id: str, batch: int, position: int) -> dict[str, Any]:
        self.intended.members += 1
        return {
            "operation_id": operation_id,
            "kind": "add_member",
            "household_id": self.rng.choice(self.households).id,
            "member": self._member("son"),
        }

    def _record_visit(self, operation_id: str, batch: int, position: int) -> dict[str, Any]:
        self.intended.visits += 1
        return {
            "operation_id": operation_id,
            "kind": "record_visit",
            "household_id": self.rng.choice(self.households).id,
            "visit": {
                "kind": "visit",
                "visited_on": self._today,
                "findings": f"走访 {self.index}-{batch}-{position}: 生活正常",
                "risk_found": False,
            },
        }

    def _member(self, relationship: str) -> dict[str, Any]:
        self._serial += 1
        return {
            "person_number": setup.person_number(self._serial),
            "name": "李新成员",
            "relationship": relationship,
            "labour_ability": "ordinary",
        }


def tally(outcomes: list[dict[str, Any]], statuses: Counter[str], problems: list[Any]) -> None:
    for outcome in outcomes:
        statuses[outcome["status"]] += 1
        if outcome["status"] not in ("applied", "already_applied") and len(problems) < 5:
            problems.append(outcome)
