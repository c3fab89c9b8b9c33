"""The code lists are data, loaded by migrations, with national codes beside the labels."""

from __future__ import annotations

from collections.abc import Callable

from httpx import AsyncClient

from tests.support.identities import TokenFactory


async def test_code_lists(client_for: Callable[[str], AsyncClient], tokens: TokenFactory) -> None:
    async with client_for("monitoring") as client:
        everything = await client.get("/api/v1/code-lists", headers=tokens.village_officer())
        assert everything.status_code == 200
        lists = everything.json()
        assert {
            "monitoring_category",
            "risk_type",
            "disaster_type",
            "help_measure",
            "relationship",
            "education",
            "health",
            "labour_ability",
        } <= set(lists)
        categories = {
            c["code"]: (c["label_zh"], c["national_code"]) for c in lists["monitoring_category"]
        }
        assert categories == {
            "unstable_exited": ("脱贫不稳定户", "1"),
            "marginal": ("边缘易致贫户", "2"),
            "sudden_hardship": ("突发严重困难户", "3"),
        }
        disasters = (
            await client.get("/api/v1/code-lists/disaster_type", headers=tokens.village_officer())
        ).json()
        assert {d["parent_code"] for d in disasters} == {"natural_disaster"}
        assert len(disasters) == 7
        missing = await client.get("/api/v1/code-lists/nothing", headers=tokens.village_officer())
        assert missing.status_code == 404
        anonymous = await client.get("/api/v1/code-lists")
        assert anonymous.status_code == 401
