"""Deterministic synthetic households for benchmarks: the same seed gives the same file.

Valid resident ID numbers come from a fast check-digit function over (region, birth date,
serial) triples that never repeat; names from short lists of common surnames and given-name
characters; about 3.3 members per household; villages spread over one county or over ten
counties of a province.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass

from services.monitoring.imports.chunks import FIELDS as COLUMNS

# Region codes the kit's region database knows (counties of 商丘市 and 周口市, 河南省).
BIRTH_REGIONS = (
    "411424",
    "411421",
    "411422",
    "411423",
    "411425",
    "411426",
    "411481",
    "411402",
    "411403",
    "411621",
    "411622",
    "411623",
)
COUNTY = "411424"
PROVINCE_COUNTIES = (
    "411424",
    "411421",
    "411422",
    "411423",
    "411425",
    "411426",
    "411481",
    "411621",
    "411622",
    "411623",
)
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏"
    "魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵"
)
GIVEN = (
    "建国军华明红英丽芳伟强磊敏静秀兰桂珍玉梅春海平志刚文杰勇飞霞燕凤云娟洁涛斌宇浩鹏辉超亮成"
    "林东新福德贵生荣花翠萍琴丹玲佳欣怡雪婷子涵梓轩一诺浩然思雨俊峰晓光永庆金山长江保国振华"
)
HOUSEHOLD_SIZES = (1, 2, 3, 4, 5, 6)
SIZE_WEIGHTS = (10, 20, 25, 25, 15, 5)  # mean 3.3
EDUCATION = ("primary", "junior_secondary", "senior_secondary", "illiterate", "college")
HEALTH = ("healthy", "healthy", "healthy", "chronic_illness", "serious_illness", "disabled")
LABOUR = ("ordinary", "ordinary", "skilled", "weak", "none")
CHILD_RELATIONSHIPS = ("son", "daughter", "grandchild", "parent", "child_in_law")

_WEIGHTS = tuple(2 ** (17 - i) % 11 for i in range(17))
_CHECK = "10X98765432"
_FIRST_BIRTH = datetime.date(1940, 1, 1)
_BIRTH_DAYS = (datetime.date(2019, 12, 31) - _FIRST_BIRTH).days + 1


def check_digit(body: str) -> str:
    """The GB 11643 check character of the first 17 digits."""
    return _CHECK[
        sum(int(digit) * weight for digit, weight in zip(body, _WEIGHTS, strict=True)) % 11
    ]


def person_number(serial: int) -> str:
    """The `serial`-th distinct valid resident ID number (distinct for serial < 175 million)."""
    regions = len(BIRTH_REGIONS)
    region = BIRTH_REGIONS[serial % regions]
    day = (serial // regions) % _BIRTH_DAYS
    sequence = serial // (regions * _BIRTH_DAYS)
    birth = _FIRST_BIRTH + datetime.timedelta(days=day)
    body = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return body + check_digit(body)


def villages(scope: str, count: int) -> list[str]:
    """`count` village codes spread over the county 411424 or over ten counties ("province")."""
    counties = (COUNTY,) if scope == "county" else PROVINCE_COUNTIES
    codes = []
    for position in range(count):
        county = counties[position % len(counties)]
        local = position // len(counties)
        township, village = divmod(local, 30)
        codes.append(f"{county}{101 + township:03d}{201 + village:03d}")
    return codes


@dataclass
class Population:
    """A deterministic population of `members` people in households over `village_count`
    villages; `first_serial` and `household_prefix` keep separate populations disjoint."""

    members: int
    seed: int = 20261123
    scope: str = "county"
    village_count: int = 400
    first_serial: int = 0
    household_prefix: str = "B"
    # Explicit village codes (e.g. a province of 150 counties), instead of `scope`'s.
    village_codes: tuple[str, ...] = ()

    def rows(self) -> Iterator[dict[str, object]]:
        rng = random.Random(self.seed)
        codes = list(self.village_codes) or villages(self.scope, self.village_count)
        serial = self.first_serial
        produced = 0
        household = 0
        while produced < self.members:
            size = min(rng.choices(HOUSEHOLD_SIZES, SIZE_WEIGHTS)[0], self.members - produced)
            village = codes[household % len(codes)]
            surname = rng.choice(SURNAMES)
            household_fields = {
                "household_number": f"{self.household_prefix}{village}{household:07d}",
                "village": village,
                "kind": "exited_poverty" if rng.random() < 0.35 else "ordinary",
                "address": f"{rng.randint(1, 12)}组{rng.randint(1, 200)}号",
                "phone": f"1{rng.choice('3578')}{rng.randrange(10**9):09d}",
            }
            for position in range(size):
                if position == 0:
                    relationship = "head"
                elif position == 1:
                    relationship = "spouse"
                else:
                    relationship = rng.choice(CHILD_RELATIONSHIPS)
                family = surname if relationship != "spouse" else rng.choice(SURNAMES)
                yield {
                    **household_fields,
                    "person_number": person_number(serial),
                    "name": family + "".join(rng.choices(GIVEN, k=rng.choice((1, 2, 2)))),
                    "relationship": relationship,
                    "education": rng.choice(EDUCATION),
                    "student_status": "not_student",
                    "health": rng.choice(HEALTH),
                    "labour_ability": rng.choice(LABOUR),
                    "work_place": "本县" if rng.random() < 0.5 else None,
                    "work_months": rng.randint(0, 12),
                    "medical_insurance": True,
                    "pension_insurance": rng.random() < 0.8,
                    "minimum_living_allowance": rng.random() < 0.1,
                    "extreme_poverty_support": rng.random() < 0.02,
                }
                serial += 1
            produced += size
            household += 1

    def ndjson(self) -> bytes:
        dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
        return "".join(dumps(row) + "\n" for row in self.rows()).encode("utf-8")

    def csv(self) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMNS)
        for row in self.rows():
            writer.writerow([_csv_value(row[column]) for column in COLUMNS])
        return out.getvalue().encode("utf-8")


def _csv_value(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    return value
