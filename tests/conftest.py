"""Shared pytest fixtures: paths to the small hand-made data files under tests/fixtures/."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def metrics_fixtures() -> Path:
    """Folder of the metric-engine fixtures; every number they produce is worked out in tests/test_metrics_hand.py."""
    return FIXTURES / "metrics"
