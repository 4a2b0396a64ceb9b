"""Shared pytest fixtures: paths to the small hand-made data files under tests/fixtures/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def metrics_fixtures() -> Path:
    """Folder of the metric-engine fixtures; every number they produce is worked out in tests/test_metrics_hand.py."""
    return FIXTURES / "metrics"


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A throwaway PostgreSQL (Debian's package: initdb in a temp dir, a free port), one per test session."""
    from retention.warehouse.throwaway import postgres

    with postgres() as url:
        yield url


@pytest.fixture(scope="session")
def spark_session() -> Iterator[object]:
    """One local Spark session (Java 17) for the whole test session: starting one takes about 7 s."""
    from retention.warehouse.throwaway import spark

    with spark() as session:
        yield session


@pytest.fixture(autouse=True)
def empty_workspace(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test starts on its own empty workspace in local mode, never the developer's ./workspace or mode."""
    folder = tmp_path_factory.mktemp("workspace")
    monkeypatch.setenv("RETENTION_WORKSPACE", str(folder))
    monkeypatch.delenv("RETENTION_MODE", raising=False)
    return folder
