"""The province's places and people, from the seed alone: townships and villages with Chinese
names, households with members, valid resident ID numbers and Chinese names.

Pure functions: the same seed and sizes give the same rows, whatever the server holds.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field

from stdnum import numdb

from bench.synthetic import BIRTH_REGIONS, GIVEN, SURNAMES, check_digit
from scripts.demo.options import Sizes

PLACE_WORDS = "东西南北前后上下大小新老高龙凤马石柳杨李王张刘陈黄白青红金银桃杏梨枣清河泉沟岭山湾"
PLACE_ENDINGS = ("庄", "集", "寨", "营", "屯", "坡", "洼", "岗", "楼", "店")
EDUCATION = ("primary", "junior_secondary", "senior_secondary", "illiterate", "college")
HEALTH = ("healthy", "healthy", "healthy", "chronic_illness", "serious_illness", "disabled")
LABOUR = ("ordinary", "ordinary", "skilled", "weak", "none")
CHILDREN = ("son", "daughter")
WORK_PLACES = ("本县", "本县", "郑州", "浙江宁波", "广东东莞", "江苏苏州", None)


def rng(seed: int, *parts: object) -> random.Random:
    """A random stream of its own for each thing generated, so sizes of one part do not move
    the others (string seeds are hashed deterministically)."""
    return random.Random(":".join(str(part) for part in (seed, *parts)))


def known_region(code: str) -> bool:
    """Whether ID numbers may carry this county as birth place (GB 11643 region)."""
    return any("county" in properties for _, properties in numdb.get("cn/loc").info(code[:6]))


@dataclass(frozen=True)
class Village:
    code: str
    name: str


@dataclass(frozen=True)
class Township:
    code: str
    name: str
    villages: tuple[Village, ...]


@dataclass(frozen=True)
class County:
    code: str
    name: str
    townships: tuple[Township, ...]

    @property
    def villages(self) -> list[Village]:
        return [village for township in self.townships for village in township.villages]


@dataclass(frozen=True)
class Member:
    person_number: str
    name: str
    relationship: str
    birth_date: datetime.date
    labour_ability: str
    education: str
    health: str
    work_place: str | None


@dataclass(frozen=True)
class Household:
    number: str
    village: str
    kind: str
    address: str
    phone: str
    members: tuple[Member, ...] = field(default_factory=tuple)

    def import_rows(self) -> list[dict[str, object]]:
        return [
            {
                "household_number": self.number,
                "village": self.village,
                "kind": self.kind,
                "address": self.address,
                "phone": self.phone,
                "person_number": member.person_number,
                "name": member.name,
                "relationship": member.relationship,
                "education": member.education,
                "student_status": "not_student",
                "health": member.health,
                "labour_ability": member.labour_ability,
                "work_place": member.work_place,
                "work_months": 10 if member.work_place else 0,
                "medical_insurance": True,
                "pension_insurance": True,
            }
            for member in self.members
        ]


def place_name(randomness: random.Random, ending: str) -> str:
    return "".join(randomness.sample(PLACE_WORDS, 2)) + ending


def county_places(seed: int, code: str, name: str, sizes: Sizes) -> County:
    randomness = rng(seed, "places", code)
    townships = []
    for t in range(sizes.townships_per_county):
        township_code = f"{code[:6]}{101 + t:03d}000"
        villages = tuple(
            Village(
                f"{township_code[:9]}{201 + v:03d}",
                place_name(randomness, randomness.choice(PLACE_ENDINGS)) + "村",
            )
            for v in range(sizes.villages_per_township)
        )
        ending = "镇" if randomness.random() < 0.7 else "乡"
        townships.append(Township(township_code, place_name(randomness, ending), villages))
    return County(code, name, tuple(townships))


def person_name(randomness: random.Random, surname: str | None = None) -> str:
    family = surname or randomness.choice(SURNAMES)
    return family + "".join(randomness.choices(GIVEN, k=randomness.choice((1, 2, 2))))


class PersonNumbers:
    """Distinct valid resident ID numbers: birth place the county (or a known neighbour when
    the region table does not know it), birth date as given, serials counted per place and day."""

    def __init__(self) -> None:
        self._used: dict[tuple[str, datetime.date], int] = {}

    def next(self, region: str, birth: datetime.date) -> str:
        region = region[:6] if known_region(region) else BIRTH_REGIONS[int(region[4:6]) % 12]
        serial = self._used.get((region, birth), 0)
        self._used[(region, birth)] = serial + 1
        body = f"{region}{birth:%Y%m%d}{serial:03d}"
        return body + check_digit(body)


def households(
    seed: int, village: Village, sizes: Sizes, numbers: PersonNumbers, today: datetime.date
) -> list[Household]:
    randomness = rng(seed, "households", village.code)
    made = []
    for position in range(sizes.households_per_village):
        surname = randomness.choice(SURNAMES)
        head_age = randomness.randint(28, 72)
        size = randomness.choices((1, 2, 3, 4, 5, 6), (8, 20, 25, 25, 15, 7))[0]
        members = [_member(randomness, numbers, village, "head", head_age, surname, today)]
        if size > 1:
            spouse_age = max(20, head_age + randomness.randint(-5, 5))
            members.append(_member(randomness, numbers, village, "spouse", spouse_age, None, today))
        for _ in range(size - 2):
            age = max(0, head_age - randomness.randint(20, 32))
            relationship = randomness.choice(CHILDREN) if age >= 1 else "grandchild"
            members.append(_member(randomness, numbers, village, relationship, age, surname, today))
        made.append(
            Household(
                number=f"D{village.code}{position + 1:04d}",
                village=village.code,
                kind="exited_poverty" if randomness.random() < 0.45 else "ordinary",
                address=f"{village.name}{randomness.randint(1, 12)}组{randomness.randint(1, 99)}号",
                phone=f"1{randomness.choice('3578')}{randomness.randrange(10**9):09d}",
                members=tuple(members),
            )
        )
    return made


def _member(
    randomness: random.Random,
    numbers: PersonNumbers,
    village: Village,
    relationship: str,
    age: int,
    surname: str | None,
    today: datetime.date,
) -> Member:
    birth = datetime.date(today.year - age - 1, 1, 1) + datetime.timedelta(
        days=randomness.randrange(365)
    )
    labour = "none" if age < 16 or age > 70 else randomness.choice(LABOUR)
    return Member(
        person_number=numbers.next(village.code, birth),
        name=person_name(randomness, surname),
        relationship=relationship,
        birth_date=birth,
        labour_ability=labour,
        education=randomness.choice(EDUCATION) if age >= 7 else "preschool",
        health=randomness.choice(HEALTH),
        work_place=randomness.choice(WORK_PLACES) if labour in ("ordinary", "skilled") else None,
    )


def age_on(member: Member, day: datetime.date) -> int:
    born = member.birth_date
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
