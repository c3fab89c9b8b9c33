"""Reading the registry: one area, lists by parent, level and name, pages, and scope."""

from __future__ import annotations

from httpx import AsyncClient

from services.common.pagination import encode_cursor
from tests.gateway.areas.support import AREAS, problem, register_ok
from tests.support.identities import (
    CITY,
    COUNTY,
    OTHER_COUNTY,
    PROVINCE,
    TOWNSHIP,
    VILLAGE,
    TokenFactory,
)

SHANGQIU_COUNTIES = [
    "411402000000",
    "411403000000",
    "411421000000",
    OTHER_COUNTY,
    "411423000000",
    COUNTY,
    "411425000000",
    "411426000000",
    "411481000000",
]


async def test_a_national_county_with_its_etag(gateway: AsyncClient, tokens: TokenFactory) -> None:
    answer = await gateway.get(f"{AREAS}/{COUNTY}", headers=tokens.county_admin())
    assert answer.status_code == 200, answer.text
    assert answer.headers["ETag"] == '"1"'
    body = answer.json()
    assert {key: body[key] for key in ("code", "name", "level", "parent_code")} == {
        "code": COUNTY,
        "name": "柘城县",
        "level": "county",
        "parent_code": CITY,
    }
    assert body["custom"] is False and body["dissolved_on"] is None and body["version"] == 1
    assert body["created_at"] and body["updated_at"]


async def test_children_of_a_city_in_code_order(gateway: AsyncClient, tokens: TokenFactory) -> None:
    answer = await gateway.get(AREAS, params={"parent": CITY}, headers=tokens.administrator())
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert [item["code"] for item in body["items"]] == SHANGQIU_COUNTIES
    assert {item["parent_code"] for item in body["items"]} == {CITY}
    assert body["next_cursor"] is None


async def test_a_list_is_scoped_to_the_callers_area(
    gateway: AsyncClient, tokens: TokenFactory
) -> None:
    answer = await gateway.get(AREAS, params={"parent": CITY}, headers=tokens.county_admin())
    assert [item["code"] for item in answer.json()["items"]] == [COUNTY]
    everything = await gateway.get(AREAS, params={"limit": 500}, headers=tokens.county_admin())
    assert [item["code"] for item in everything.json()["items"]] == [COUNTY]


async def test_another_countys_area_answers_404_like_a_missing_one(
    gateway: AsyncClient, tokens: TokenFactory
) -> None:
    await register_ok(gateway, tokens.county_admin(), TOWNSHIP, "慈圣镇")
    neighbour = tokens.other_county_admin()
    for code in (COUNTY, TOWNSHIP):
        hidden = await gateway.get(f"{AREAS}/{code}", headers=neighbour)
        missing = await gateway.get(f"{AREAS}/{OTHER_COUNTY[:6]}999000", headers=neighbour)
        assert problem(hidden, 404, "not_found").keys() == problem(missing, 404, "not_found").keys()
        patched = await gateway.patch(
            f"{AREAS}/{code}", json={"name": "改名"}, headers={**neighbour, "If-Match": '"1"'}
        )
        problem(patched, 404, "not_found")
    # Strictly in scope: not even the ancestors of one's own area.
    officer = tokens.village_officer()
    problem(await gateway.get(f"{AREAS}/{COUNTY}", headers=officer), 404, "not_found")


async def test_a_malformed_code_names_the_path(gateway: AsyncClient, tokens: TokenFactory) -> None:
    for code, rule in (("41142400000", "code_format"), ("410000001000", "code_structure")):
        answer = await gateway.get(f"{AREAS}/{code}", headers=tokens.administrator())
        body = problem(answer, 422, "validation_failed", rule)
        assert body["fields"][0]["field"] == "path.code"


async def test_a_token_is_needed(gateway: AsyncClient) -> None:
    problem(await gateway.get(f"{AREAS}/{COUNTY}"), 401, "token_missing")


async def test_name_search_is_a_case_insensitive_substring(
    gateway: AsyncClient, tokens: TokenFactory
) -> None:
    admin = tokens.administrator()
    await register_ok(gateway, admin, TOWNSHIP, "Cisheng 慈圣镇")
    await register_ok(gateway, admin, "411424106000", "胡襄镇")
    found = await gateway.get(AREAS, params={"name": "CISHENG"}, headers=admin)
    assert [item["code"] for item in found.json()["items"]] == [TOWNSHIP]
    towns = await gateway.get(AREAS, params={"name": "镇", "parent": COUNTY}, headers=admin)
    assert [item["code"] for item in towns.json()["items"]] == [TOWNSHIP, "411424106000"]
    # LIKE wildcards are matched literally.
    for wildcard in ("%", "_", "\\"):
        answer = await gateway.get(AREAS, params={"name": wildcard}, headers=admin)
        assert answer.json()["items"] == [], wildcard
    control = await gateway.get(AREAS, params={"name": "镇\x00"}, headers=admin)
    problem(control, 422, "validation_failed", "string_pattern_mismatch")


async def test_filter_by_level(gateway: AsyncClient, tokens: TokenFactory) -> None:
    answer = await gateway.get(
        AREAS,
        params={"parent": PROVINCE, "level": "city", "limit": 100},
        headers=tokens.administrator(),
    )
    items = answer.json()["items"]
    assert CITY in [item["code"] for item in items]
    assert {item["level"] for item in items} == {"city"}
    problem(
        await gateway.get(AREAS, params={"level": "hamlet"}, headers=tokens.administrator()),
        422,
        "validation_failed",
        "enum",
    )


async def test_two_pages(gateway: AsyncClient, tokens: TokenFactory) -> None:
    admin = tokens.administrator()
    first = await gateway.get(AREAS, params={"parent": CITY, "limit": 5}, headers=admin)
    assert first.status_code == 200, first.text
    page_one = first.json()
    assert len(page_one["items"]) == 5 and page_one["next_cursor"]
    second = await gateway.get(
        AREAS, params={"parent": CITY, "limit": 5, "cursor": page_one["next_cursor"]}, headers=admin
    )
    page_two = second.json()
    assert page_two["next_cursor"] is None
    codes = [item["code"] for item in page_one["items"] + page_two["items"]]
    assert codes == SHANGQIU_COUNTIES


async def test_a_forged_cursor_is_refused(gateway: AsyncClient, tokens: TokenFactory) -> None:
    for cursor in ("not-a-cursor", encode_cursor(["\x00"]), encode_cursor([1, 2])):
        answer = await gateway.get(AREAS, params={"cursor": cursor}, headers=tokens.administrator())
        problem(answer, 422, "validation_failed", "cursor_invalid")


async def test_a_village_officer_reads_its_village(
    gateway: AsyncClient, tokens: TokenFactory
) -> None:
    admin = tokens.county_admin()
    await register_ok(gateway, admin, TOWNSHIP, "慈圣镇")
    await register_ok(gateway, admin, VILLAGE, "前进村")
    answer = await gateway.get(f"{AREAS}/{VILLAGE}", headers=tokens.village_officer())
    assert answer.status_code == 200, answer.text
    assert answer.json()["parent_code"] == TOWNSHIP
