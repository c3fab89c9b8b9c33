"""Settings: defaults that work on a laptop; production refuses the development keys."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from gateway.cli import generate_keys
from gateway.settings import GatewaySettings
from services.common.settings import CommonSettings


def production_keys() -> dict[str, str]:
    lines = dict(line.split("=", 1) for line in generate_keys().splitlines())
    return {
        "signing_key": json.loads(lines["GATEWAY_SIGNING_KEY"]),
        "signing_key_id": lines["GATEWAY_SIGNING_KEY_ID"],
        "JWT_PUBLIC_KEYS": json.loads(lines["JWT_PUBLIC_KEYS"]),
        "DATA_KEYS": lines["DATA_KEYS"],
        "BLIND_INDEX_KEY": lines["BLIND_INDEX_KEY"],
    }


def test_development_defaults_work() -> None:
    settings = GatewaySettings()
    assert settings.environment in {"development", "test"}
    assert settings.signing_key_id in settings.public_keys()


@pytest.mark.parametrize("kept", ["signing_key", "JWT_PUBLIC_KEYS", "DATA_KEYS", "BLIND_INDEX_KEY"])
def test_production_refuses_each_development_key(kept: str) -> None:
    keys = production_keys()
    del keys[kept]
    if kept == "signing_key":
        keys.pop("signing_key_id")
        keys["JWT_PUBLIC_KEYS"] = json.dumps(
            {"dev-2026": "x", **json.loads(keys["JWT_PUBLIC_KEYS"])}
        )
    with pytest.raises(ValidationError, match="development"):
        GatewaySettings(ENVIRONMENT="production", **keys)


def test_production_accepts_fresh_keys() -> None:
    settings = GatewaySettings(ENVIRONMENT="production", **production_keys())
    assert settings.environment == "production"
    assert CommonSettings(
        ENVIRONMENT="production", **{k: v for k, v in production_keys().items() if k.isupper()}
    )
