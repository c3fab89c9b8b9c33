"""Folding the county figures' slots (槽位合并): writers use slots 1 to 16, the fold moves them
into slot 0, and no figure changes."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import select

from services.common.county_figures import fold
from services.funds.models import FundFigure
from tests.funds.support import Staff, allocate, created, figures_of, funded_link, pay
from tests.support.identities import TokenFactory


async def slots(app: FastAPI) -> set[int]:
    async with app.state.database.sessionmaker() as session:
        return set((await session.execute(select(FundFigure.slot).distinct())).scalars())


async def test_folding_moves_the_writers_slots_into_one_and_changes_no_figure(
    apps: dict[str, FastAPI], client_for: Callable[[str], AsyncClient], tokens: TokenFactory
) -> None:
    app = apps["funds"]
    staff = Staff(tokens)
    async with client_for("funds") as client:
        for amount in ("1000.00", "2000.00", "3000.00", "4000.00"):
            await allocate(client, staff.clerk, amount=amount)
        _, _, fund_link = await funded_link(client, staff, amount="500.00")
        created(await pay(client, staff.clerk, fund_link, "120.00"))
        before = await figures_of(app)
        assert before["paid"] == Decimal("120.00")
        written = await slots(app)
        assert written and 0 not in written and written <= set(range(1, 17))

        assert await fold(app.state.database, "fund_figures") > 0
        assert await slots(app) == {0}
        assert await figures_of(app) == before

        # A later write lands in a writer's slot again and adds to the folded figure.
        created(await pay(client, staff.clerk, fund_link, "30.00"))
        assert 0 in await slots(app) and len(await slots(app)) == 2
        assert (await figures_of(app))["paid"] == Decimal("150.00")
