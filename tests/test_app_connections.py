"""AppTest: a database connection named in secrets.toml, opened on the Data page, drives every page.

The connection is a real DuckDB file holding the built-in sample's subscriptions and customers (the
importer's canonical tables), so the Overview's numbers from the warehouse engine can be checked
against the same app showing the same data on the in-memory NumPy engine.  A failing connection's
message must not repeat its URL, user, password, host or file name.
"""

from __future__ import annotations

from pathlib import Path

import ibis
import pytest
from streamlit.testing.v1 import AppTest

from retention.dataset import load_dataset
from retention.warehouse.connections import NamedConnectionError, named_connections, open_connection, scrub
from retention.warehouse.sources import canonical_customers, canonical_subscriptions

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
SAMPLE = ROOT / "sample_data"
PAGES = [
    "pages/overview.py", "pages/revenue.py", "pages/cohorts.py", "pages/forecast.py", "pages/segments.py",
    "pages/engagement.py", "pages/feedback.py", "pages/churn_reasons.py", "pages/customer.py", "pages/data.py", "pages/alerts.py",
    "pages/benchmarks.py", "pages/definitions.py",
]
CARDS = ("CRR", "Logo churn", "NRR", "GRR", "MRR", "ARPA", "LTV", "Quick ratio")


@pytest.fixture(scope="module")
def billing(tmp_path_factory) -> Path:
    """A DuckDB file with the sample's canonical subscriptions and customers tables."""
    path = tmp_path_factory.mktemp("warehouse") / "billing.duckdb"
    data = load_dataset(SAMPLE / "subscriptions.csv", SAMPLE / "customers.csv")
    con = ibis.duckdb.connect(str(path))
    con.create_table("subscriptions", canonical_subscriptions(data.subscriptions.table))
    con.create_table("customers", canonical_customers(data.customers_table))
    con.disconnect()
    return path


def _secrets(folder: Path, text: str, monkeypatch) -> None:
    """Run the app from `folder`, whose .streamlit holds the project's config and these secrets."""
    (folder / ".streamlit").mkdir(exist_ok=True)
    (folder / ".streamlit" / "config.toml").write_bytes((ROOT / ".streamlit" / "config.toml").read_bytes())
    (folder / ".streamlit" / "secrets.toml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(folder)


def _open(at: AppTest, name: str) -> AppTest:
    at.switch_page("pages/data.py").run()
    assert not at.exception, [e.value for e in at.exception]
    at.selectbox(key="connection_pick").set_value(name)
    at.button(key="connection_open").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _cards(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric if m.label in CARDS}


def _everything_shown(at: AppTest) -> str:
    parts = [str(e.value) for kind in ("error", "warning", "info", "markdown", "caption", "success", "exception")
             for e in getattr(at, kind)]
    return "\n".join(parts)


def test_every_page_runs_on_a_duckdb_connection_and_overview_matches_numpy(billing, tmp_path, monkeypatch) -> None:
    _secrets(tmp_path, f'[retention.connections.billing]\nurl = "duckdb:///{billing}"\nlabel = "Billing warehouse"\n'
                       'table = "subscriptions"\ncustomers_table = "customers"\ncurrency = "USD"\n', monkeypatch)
    reference = AppTest.from_file(APP, default_timeout=120)
    reference.run()
    assert not reference.exception, [e.value for e in reference.exception]
    want = _cards(reference)
    assert set(want) == set(CARDS)

    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    _open(at, "billing")
    shown = _everything_shown(at)
    assert "Billing warehouse" in shown and str(billing) not in shown
    assert [m.value for m in at.metric if m.label == "Rows rejected"] == ["0"]
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
        assert at.title, page
        assert str(billing) not in _everything_shown(at), page
    at.switch_page("pages/overview.py").run()
    assert _cards(at) == want  # the warehouse engine's KPI cards, as the NumPy engine shows them on the same data
    assert any("database connection Billing warehouse" in c.value for c in at.caption)


@pytest.mark.parametrize("url", [
    "postgres://reader:S3cretPass@127.0.0.1:1/billing_db",
    "duckdb:////nonexistent/folder/s3cret-billing.duckdb",
])
def test_a_failing_connection_never_shows_its_url(url, tmp_path, monkeypatch) -> None:
    _secrets(tmp_path, f'[retention.connections.billing]\nurl = "{url}"\ntable = "subscriptions"\n', monkeypatch)
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    _open(at, "billing")
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "The connection billing could not be opened" in errors[0]
    shown = _everything_shown(at)
    for secret in ("S3cretPass", "reader", "127.0.0.1", "billing_db", "s3cret-billing", "nonexistent", url):
        assert secret not in shown
    assert [s.value for s in at.sidebar.selectbox if s.key == "dataset_picker"] == []  # still the sample


def test_connection_settings_are_checked_and_never_print_the_url(billing) -> None:
    url = f"duckdb:///{billing}"
    found = named_connections({"retention": {"connections": {"billing": {"url": url, "table": "subscriptions"}}}})
    assert url not in repr(found["billing"]) and found["billing"].backend == "duckdb"
    with pytest.raises(NamedConnectionError, match="needs table"):
        named_connections({"retention": {"connections": {"x": {"url": url}}}})
    with pytest.raises(NamedConnectionError, match="unknown setting passwd"):
        named_connections({"retention": {"connections": {"x": {"url": url, "table": "t", "passwd": "p"}}}})
    with pytest.raises(NamedConnectionError, match="status: past_due must be one of") as caught:
        named_connections({"retention": {"connections": {"x": {"url": url, "table": "t", "status": {"past_due": "drop"}}}}})
    assert url not in str(caught.value)
    missing = named_connections({"retention": {"connections": {"x": {"url": url, "table": "invoices"}}}})["x"]
    with pytest.raises(NamedConnectionError) as caught:
        open_connection(missing)
    assert caught.value.code == "table" and "invoices" in caught.value.detail and str(billing) not in str(caught.value)
    assert scrub("could not connect to 10.0.0.5 as bob with pw h%40rd", "postgres://bob:h%40rd@10.0.0.5/db") == \
        "could not connect to … as … with pw …"
    data = open_connection(named_connections({"retention": {"connections": {"b": {
        "url": url, "table": "subscriptions", "customers_table": "customers"}}}})["b"])
    assert data.intake.rows_read == data.intake.rows_used and data.currency_assumed() and data.has_customers
