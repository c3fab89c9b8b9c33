"""The employment app's own client for the monitoring service: made at startup from the
settings, with a connect timeout, closed by the app's lifespan."""

from __future__ import annotations

from services.employment.app import build_app
from services.employment.settings import EmploymentSettings


async def test_client_from_settings_closed_by_the_lifespan() -> None:
    settings = EmploymentSettings(
        monitoring_url="http://monitoring.internal:9001",
        monitoring_connect_timeout=0.5,
        monitoring_timeout=2.0,
    )
    app = build_app(settings)
    client = app.state.monitoring
    assert str(client.base_url) == "http://monitoring.internal:9001"
    assert client.timeout.connect == 0.5 and client.timeout.read == 2.0
    async with app.router.lifespan_context(app):
        assert not client.is_closed
    assert client.is_closed


def test_defaults_point_at_the_local_monitoring_service() -> None:
    settings = EmploymentSettings()
    assert settings.monitoring_url == "http://127.0.0.1:8001"
    assert settings.employed_min_days() == 90
    assert settings.minimum_wage_for("411424105201") == settings.minimum_wage
    local = EmploymentSettings(minimum_wages='{"410000000000": "2000", "411424000000": "1800"}')
    assert str(local.minimum_wage_for("411424105201")) == "1800"
    assert str(local.minimum_wage_for("411422101201")) == "2000"
