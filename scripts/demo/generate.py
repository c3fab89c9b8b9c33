"""The whole run: every phase in order, each safe to repeat, and the counts at the end."""

from __future__ import annotations

import httpx

from scripts.demo.accounts import create_accounts
from scripts.demo.api import Api, Identity
from scripts.demo.cases import open_cases
from scripts.demo.context import Demo
from scripts.demo.employment import record_work
from scripts.demo.funds import record_funds
from scripts.demo.options import Options
from scripts.demo.places import register_places
from scripts.demo.registry import import_households
from scripts.demo.report import Report
from scripts.demo.warnings import push_feed
from services.common.business_time import business_today

PHASES = (
    register_places,
    create_accounts,
    import_households,
    push_feed,
    open_cases,
    record_funds,
    record_work,
)


async def generate(options: Options, client: httpx.AsyncClient | None = None) -> Report:
    """Create (or complete) the demo province; `client` talks to the gateway (tests pass one
    bound to the apps in-process)."""
    own = client is None
    client = client or httpx.AsyncClient(base_url=options.gateway, timeout=300)
    try:
        api = Api(client, options.seed, options.concurrency)
        admin = Identity(options.admin_username, options.admin_password)
        demo = Demo(api=api, options=options, admin=admin, today=business_today())
        for phase in PHASES:
            await phase(demo)
        return demo.report
    finally:
        if own:
            await client.aclose()
