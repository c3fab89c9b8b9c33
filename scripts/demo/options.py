"""What to generate and where: sizes, the seed, the gateway and the administrator's login."""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass

DEFAULT_GATEWAY = "http://127.0.0.1:8000"
DEFAULT_PROVINCE = "410000000000"  # 河南省


@dataclass(frozen=True)
class Sizes:
    """How large the province is. The default is small enough for `make run DEMO=1`."""

    counties: int = 2
    townships_per_county: int = 2
    villages_per_township: int = 3
    households_per_village: int = 8
    projects_per_county: int = 8
    case_share: float = 0.35  # households with an identification case
    warning_share: float = 0.08  # people a department reports about
    leads_per_county: int = 3  # reported people the registry does not hold
    labourer_share: float = 0.5  # eligible people registered as labourers
    loan_share: float = 0.25  # exited-poverty households with a loan


@dataclass(frozen=True)
class Options:
    gateway: str
    admin_username: str
    admin_password: str
    province: str
    seed: int
    sizes: Sizes
    concurrency: int
    progress: bool


def parser() -> argparse.ArgumentParser:
    sizes = Sizes()
    root = argparse.ArgumentParser(
        prog="python -m scripts.demo_data",
        description="Create a realistic demo province through the gateway (演示数据).",
    )
    root.add_argument(
        "--gateway",
        default=os.environ.get("DEMO_GATEWAY_URL", DEFAULT_GATEWAY),
        help="gateway URL (env DEMO_GATEWAY_URL; default %(default)s)",
    )
    root.add_argument(
        "--admin-username",
        default=os.environ.get("DEMO_ADMIN_USERNAME", "admin"),
        help="an administrator of the nation (env DEMO_ADMIN_USERNAME; default %(default)s)",
    )
    root.add_argument(
        "--admin-password",
        default=os.environ.get("DEMO_ADMIN_PASSWORD"),
        help="its password (env DEMO_ADMIN_PASSWORD; `make run` prints it on its first run)",
    )
    root.add_argument("--province", default=DEFAULT_PROVINCE, help="province code (%(default)s)")
    root.add_argument("--seed", type=int, default=2026, help="same seed, same data (%(default)s)")
    for name, value in vars(sizes).items():
        root.add_argument(
            "--" + name.replace("_", "-"),
            type=type(value),
            default=value,
            help=f"default {value}",
        )
    root.add_argument("--concurrency", type=int, default=8, help="requests in flight (8)")
    root.add_argument("--no-progress", action="store_true", help="no progress bars on stderr")
    return root


def parse(argv: list[str] | None = None) -> Options:
    root = parser()
    args = root.parse_args(argv)
    if not args.admin_password:
        root.error(
            "the administrator's password is needed: --admin-password or DEMO_ADMIN_PASSWORD"
        )
    values = {name: getattr(args, name) for name in vars(Sizes())}
    for name, value in values.items():
        if value < 0 or (isinstance(value, float) and value > 1):
            root.error(f"--{name.replace('_', '-')} must be 0 or more (a share at most 1)")
    if values["counties"] < 1 or values["townships_per_county"] < 1:
        root.error("at least one county with one township is needed")
    if values["townships_per_county"] > 899 or values["villages_per_township"] > 799:
        root.error("at most 899 townships a county and 799 villages a township")
    return Options(
        gateway=args.gateway.rstrip("/"),
        admin_username=args.admin_username,
        admin_password=args.admin_password,
        province=args.province,
        seed=args.seed,
        sizes=Sizes(**values),
        concurrency=max(1, args.concurrency),
        progress=not args.no_progress,
    )
