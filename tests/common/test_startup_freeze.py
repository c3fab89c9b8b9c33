"""An app's start-up puts the objects it holds out of the cyclic garbage collector's reach: a
full collection walking them all stalled every request in flight for ~87 ms (the bimodal
latencies of the indicator benchmark)."""

from __future__ import annotations

import gc

from services.funds.app import build_app


async def test_starting_an_app_freezes_what_it_holds() -> None:
    gc.unfreeze()
    app = build_app()
    try:
        async with app.router.lifespan_context(app):
            assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
