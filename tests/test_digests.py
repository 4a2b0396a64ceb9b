"""Digests, alerts and notes, end to end through the CLI a cron line runs, against real local servers.

Fixture tests/fixtures/digests/ (the cohort fixture's subscriptions with named customers), as of
2024-06-30.  MRR at month-ends (see tests/contract/test_cohorts.py for the full table):

    May: a 100, c 80, d 100, e 40, g 30             = 350, 5 paying
    Jun: a 100, c 80, d 100, g 30, h 70 (new 06-10)  = 380, 5 paying; e churned (ended 06-15)

June: logo churn 1 / 5 = 20.0 % (May 0.0 %: +20.0 pts), MRR +30, one new ($70) and one churned ($40).
The week ending 2024-06-14: on 06-07 MRR 350 (5 paying), on 06-14 420 (h joined): one new, $70.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from retention.alerts import Rule, evaluate
from retention.alerts.rules import robust_band
from tests.delivery_servers import Hook, smtp_server, webhook_server

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "digests"


def cli(*args: str, env: dict[str, str] | None = None, cwd: Path) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    full.pop("RETENTION_WORKSPACE", None)
    return subprocess.run([sys.executable, "-m", "retention", *args], cwd=cwd, env=full, capture_output=True, text=True, timeout=180)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    done = cli("workspace", "import", "--workspace", str(tmp_path / "ws"), "--dataset", "acme",
               "--subscriptions", str(FIXTURES / "subscriptions.csv"), "--customers", str(FIXTURES / "customers.csv"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    return tmp_path / "ws"


def test_monthly_digest_by_email_with_starttls_and_login(workspace: Path, tmp_path: Path) -> None:
    with smtp_server(tmp_path) as (box, env):
        args = ("digest", "--workspace", str(workspace), "--dataset", "acme", "--period", "month", "--as-of", "2024-06-30",
                "--to", "cs-lead@example.com", "--link", "https://dash.example.com/?dataset=acme", "--out", str(tmp_path / "d.html"))
        done = cli(*args, env=env, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        again = cli(*args, env=env, cwd=tmp_path)  # the cron line runs twice: nothing is sent twice
        assert again.returncode == 0 and "already sent" in again.stderr
    assert len(box.messages) == 1 and box.recipients == [["cs-lead@example.com"]]
    message = box.messages[0]
    assert message["Subject"] == "Monthly retention digest: acme, 2024-06"
    assert message["From"] == "digest@example.com" and message["To"] == "cs-lead@example.com"
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    for line in ("- MRR: $380 (+$30)", "- Logo churn: 20.0% (+20.0 pts)", "- Customers at end: 5 (+0)",
                 "- New: 1 customers, $70", "- Churned: 1 customers, $40", "- Expansion: 0 customers, $0"):
        assert line in text, line
    assert "Hotel + Co ‹!channel› (h): New, $0 → $70" in text  # chat and text parts defuse <!channel>
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Echo Ltd (e)" in html and "<script>" not in html
    assert 'href="https://dash.example.com/?dataset=acme"' in html
    assert (tmp_path / "d.html").read_text(encoding="utf-8").strip() == html.replace("\r\n", "\n").strip()
    assert env["RETENTION_SMTP_PASSWORD"] not in done.stderr + done.stdout + html + text


def test_weekly_digest_to_a_webhook_retries_server_errors(workspace: Path, tmp_path: Path) -> None:
    hook = Hook(failures=2, status=503)
    with webhook_server(hook) as url:
        args = ("digest", "--workspace", str(workspace), "--dataset", "acme", "--period", "week", "--as-of", "2024-06-14",
                "--webhook", url, "--language", "de", "--format", "json")
        done = cli(*args, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert hook.requests == 3 and len(hook.bodies) == 1  # two 503s, then delivered once
        assert "secret-token" not in done.stderr  # the webhook's path is its secret: logged by host only
        assert cli(*args, cwd=tmp_path).returncode == 0 and hook.requests == 3  # not posted again
    report = json.loads(done.stdout)
    assert report["deliveries"] == [{"channel": "webhook", "target": url.split("/services")[0], "status": "sent", "attempts": 3}]
    text = hook.bodies[0]["text"]
    assert text.startswith("*") and "acme" in text and "<!channel>" not in text
    assert "Neu 1" in text  # German, one new customer in the week


def test_weekly_digest_numbers(workspace: Path, tmp_path: Path) -> None:
    done = cli("digest", "--workspace", str(workspace), "--dataset", "acme", "--period", "week", "--as-of", "2024-06-14", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "This week: MRR $350 → $420, paying customers 5 → 6" in done.stdout
    assert "- New: 1 customers, $70" in done.stdout


def test_failed_delivery_exits_3_and_is_sent_by_the_next_run(workspace: Path, tmp_path: Path) -> None:
    ws = str(workspace)
    assert cli("alerts", "add", "--workspace", ws, "--dataset", "acme", "--metric", "logo_churn_rate", "--above", "10",
               cwd=tmp_path).returncode == 0
    hook = Hook(failures=10, status=500)
    with webhook_server(hook) as url:
        first = cli("alerts", "check", "--workspace", ws, "--dataset", "acme", "--as-of", "2024-06-30", "--webhook", url,
                    "--retries", "2", cwd=tmp_path)
        assert first.returncode == 3, first.stderr
        assert hook.requests == 2 and "gave up after 2 attempts (HTTP 500)" in first.stderr
        hook.failures = 0
        second = cli("alerts", "check", "--workspace", ws, "--dataset", "acme", "--as-of", "2024-06-30", "--webhook", url, cwd=tmp_path)
        assert second.returncode == 0, second.stderr
        assert "2024-06: Logo churn rate is 20.0% (limit 10.0%)" in second.stdout
        assert len(hook.bodies) == 1
        third = cli("alerts", "check", "--workspace", ws, "--dataset", "acme", "--as-of", "2024-06-30", "--webhook", url, cwd=tmp_path)
        assert third.returncode == 0 and third.stdout == "" and "no new breach" in third.stderr
        assert len(hook.bodies) == 1  # the same breach is never sent twice


def test_alert_rules_list_and_remove(workspace: Path, tmp_path: Path) -> None:
    ws = str(workspace)
    added = cli("alerts", "add", "--workspace", ws, "--dataset", "acme", "--metric", "nrr", "--down", "2", cwd=tmp_path)
    assert added.returncode == 0 and added.stdout.startswith("rule 1: ")
    listed = json.loads(cli("alerts", "list", "--workspace", ws, "--dataset", "acme", "--format", "json", cwd=tmp_path).stdout)
    assert listed["rules"] == [{"id": 1, "metric": "nrr", "kind": "change", "direction": "down", "value": 2.0,
                                "granularity": "month", "segment": None}]
    assert cli("alerts", "remove", "--workspace", ws, "--dataset", "acme", "1", cwd=tmp_path).returncode == 0
    gone = cli("alerts", "remove", "--workspace", ws, "--dataset", "acme", "1", cwd=tmp_path)
    assert gone.returncode == 2 and gone.stderr.startswith("error: no rule 1")


def test_notes_are_kept_per_dataset_and_listed_in_the_digest(workspace: Path, tmp_path: Path) -> None:
    ws = str(workspace)
    assert cli("notes", "add", "--workspace", ws, "--dataset", "acme", "--date", "2024-06-01", "price <b>change</b>",
               cwd=tmp_path).returncode == 0
    listed = json.loads(cli("notes", "list", "--workspace", ws, "--dataset", "acme", "--format", "json", cwd=tmp_path).stdout)
    assert listed["notes"] == [{"id": 1, "date": "2024-06-01", "note": "price <b>change</b>", "author": ""}]
    out = tmp_path / "d.html"
    done = cli("digest", "--workspace", ws, "--dataset", "acme", "--period", "month", "--as-of", "2024-06-30", "--out", str(out),
               cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "2024-06-01: price &lt;b&gt;change&lt;/b&gt;" in out.read_text(encoding="utf-8")
    missing = cli("notes", "add", "--workspace", ws, "--dataset", "other", "--date", "2024-06-01", "x", cwd=tmp_path)
    assert missing.returncode == 2


def _series(values: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"period": [f"2024-{i + 1:02d}" if i < 12 else f"2025-{i - 11:02d}" for i in range(len(values))],
                         "logo_churn_rate": values})


def test_threshold_and_change_rules_on_a_hand_made_series() -> None:
    table = _series([2.0, 2.5, 3.5])
    assert evaluate(Rule("logo_churn_rate", "threshold", "above", 3.0), table).value == 3.5
    assert evaluate(Rule("logo_churn_rate", "threshold", "above", 3.5), table) is None  # strictly above
    assert evaluate(Rule("logo_churn_rate", "change", "up", 0.9), table).previous == 2.5  # +1.0 > 0.9
    assert evaluate(Rule("logo_churn_rate", "change", "up", 1.0), table) is None
    assert evaluate(Rule("logo_churn_rate", "change", "down", 0.5), table) is None


def test_anomaly_band_ignores_one_outlier() -> None:
    # Trailing 12: 10 12 11 9 13 10 60 11 12 9 10 11. Sorted: 9 9 10 10 10 11 11 11 12 12 13 60, median 11.
    # |x − 11|: 1 1 0 2 2 1 49 0 1 2 1 0 → sorted 0 0 0 1 1 1 1 1 2 2 2 49, MAD 1; band 11 ± 3 × 1.4826 = [6.5522, 15.4478].
    trailing = [10, 12, 11, 9, 13, 10, 60, 11, 12, 9, 10, 11]
    low, high = robust_band(np.array(trailing, dtype=float))
    assert (low, high) == pytest.approx((11 - 3 * 1.4826, 11 + 3 * 1.4826))
    rule = Rule("logo_churn_rate", "anomaly", "outside")
    assert evaluate(rule, _series([*trailing, 14.0])) is None  # a mean ± 3 sd band would be far wider; 14 is usual here
    breach = evaluate(rule, _series([*trailing, 16.0]))
    assert breach is not None and breach.bound == pytest.approx(high)
    assert evaluate(rule, _series([10.0, 11.0, 16.0])) is None  # fewer than 6 trailing values: no band, no alert


def test_rule_validation() -> None:
    with pytest.raises(ValueError, match="unknown metric"):
        Rule("churn", "threshold", "above", 3)
    with pytest.raises(ValueError, match="goes up or down"):
        Rule("nrr", "change", "above", 2)


def test_notes_are_drawn_on_trend_charts_and_listed_in_the_report() -> None:
    from retention.figures.notes import add_notes, notes_on_axis
    from retention.report.summary import html_report

    labels = ["2024-04", "2024-05", "2024-06"]
    notes = [(pd.Timestamp("2024-05-03"), "price <b>change</b>"), (pd.Timestamp("2024-05-20"), "annual plans"),
             (pd.Timestamp("2023-01-01"), "before the window")]
    assert notes_on_axis(notes, labels, "month") == [("2024-05", "price <b>change</b>; annual plans")]
    assert notes_on_axis(notes, ["2024-Q2"], "quarter") == [("2024-Q2", "price <b>change</b>; annual plans")]
    import plotly.graph_objects as go

    fig = add_notes(go.Figure(go.Scatter(x=labels, y=[1, 2, 3])), notes, labels, "month")
    assert [a.x for a in fig.layout.annotations] == ["2024-05"] and "<b>" not in fig.layout.annotations[0].text
    from retention.dataset import load_dataset

    data = load_dataset(FIXTURES / "subscriptions.csv", FIXTURES / "customers.csv")
    from retention.engine import Query

    table = data.engine().metrics(Query(as_of=pd.Timestamp("2024-06-30")))
    report = html_report(table, table, "month", {"as_of": "2024-06-30"}, notes=notes[:1])
    assert "price &lt;b&gt;change&lt;/b&gt;" in report and "price <b>change</b>" not in report


def test_churn_reasons_in_the_digest_are_the_churns_of_the_span(tmp_path: Path) -> None:
    from retention.dataset import load_dataset
    from retention.digests.content import build_digest

    # June: e churned (ended 06-15).  e's record of 06-10 explains it; e's record of January (148 days before
    # June) belongs to no churn of June, and a did not churn, so neither is counted.
    reasons = tmp_path / "churn_reasons.csv"
    reasons.write_text("customer_id,date,reason\ne,2024-06-10,Too expensive\ne,2024-01-05,Missing feature\n"
                       "a,2024-06-20,Budget\n")
    data = load_dataset(FIXTURES / "subscriptions.csv", FIXTURES / "customers.csv", churn_reasons=reasons)
    month = build_digest(data, dataset="acme", period="month", as_of=pd.Timestamp("2024-06-30"))
    assert month.churned == ["e"] and month.churn_reasons == [("Too expensive", 1)]
    week = build_digest(data, dataset="acme", period="week", as_of=pd.Timestamp("2024-06-21"))
    assert week.churned == ["e"] and week.churn_reasons == [("Too expensive", 1)]
