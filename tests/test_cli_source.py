"""`python -m retention metrics --source URL`: the same numbers from a database as from the files.

The hand-computed fixture tests/fixtures/metrics/ (amount + interval, trials, a free span, several
subscriptions per customer) is put, as raw text columns, into a DuckDB file, a throwaway PostgreSQL
and Parquet files read by a local Spark; the CLI then normalises, filters and computes inside each.
The Stripe sync preset is pinned to hand-worked values.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pandas as pd

from retention.cli import main

FIXTURES = Path(__file__).parent / "fixtures" / "metrics"
SUBS, CUSTS = FIXTURES / "subscriptions.csv", FIXTURES / "customers.csv"
AS_OF = ["--as-of", "2020-12-31", "--format", "json"]


def run(capsys, *argv: str) -> tuple[int, dict, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    wants_json = "json" in argv and argv[list(argv).index("json") - 1] == "--format"
    return code, (json.loads(out.out) if wants_json and out.out.strip() else {}), out.err


def frame(payload: dict) -> pd.DataFrame:
    return pd.DataFrame(payload["rows"])


def file_rows(capsys, period: str, segment: str | None = None) -> pd.DataFrame:
    argv = ["metrics", "--subscriptions", str(SUBS), "--customers", str(CUSTS), "--period", period, *AS_OF]
    code, payload, _ = run(capsys, *argv, *(["--segment", segment] if segment else []))
    assert code == 0
    return frame(payload)


def raw_text(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False).replace("", None)


def assert_same_as_files(capsys, source: str, table: str, customers: str) -> None:
    for period, segment in (("month", None), ("quarter", None), ("month", "plan=Pro")):
        want = file_rows(capsys, period, segment)
        argv = ["metrics", "--source", source, "--table", table, "--customers-table", customers, "--period", period, *AS_OF]
        code, payload, err = run(capsys, *argv, *(["--segment", segment] if segment else []))
        assert code == 0, err
        pd.testing.assert_frame_equal(frame(payload), want, check_dtype=False, atol=1e-6, rtol=0)
        assert "postgres@" not in json.dumps(payload)


def test_duckdb_file_source_equals_files(tmp_path, capsys):
    path = tmp_path / "billing.duckdb"
    con = duckdb.connect(str(path))
    con.execute(f"CREATE TABLE subscriptions AS SELECT * FROM read_csv('{SUBS}', all_varchar = true)")
    con.execute(f"CREATE TABLE customers AS SELECT * FROM read_csv('{CUSTS}', all_varchar = true)")
    con.close()
    assert_same_as_files(capsys, f"duckdb:///{path}", "subscriptions", "customers")
    code, payload, _ = run(capsys, "cohorts", "--source", f"duckdb:///{path}", "--table", "subscriptions", *AS_OF)
    code_f, want, _ = run(capsys, "cohorts", "--subscriptions", str(SUBS), *AS_OF)
    assert code == code_f == 0 and payload["rows"] == want["rows"]


def test_postgres_source_equals_files(postgres_url, capsys):
    import ibis

    con = ibis.connect(postgres_url)
    con.create_table("billing_subscriptions", raw_text(SUBS), overwrite=True)
    con.create_table("billing_customers", raw_text(CUSTS), overwrite=True)
    con.disconnect()
    assert_same_as_files(capsys, postgres_url, "billing_subscriptions", "billing_customers")


def test_spark_parquet_source_equals_files(spark_session, tmp_path, capsys):
    raw_text(SUBS).to_parquet(tmp_path / "subscriptions.parquet")
    raw_text(CUSTS).to_parquet(tmp_path / "customers.parquet")
    assert_same_as_files(capsys, "pyspark://local", str(tmp_path / "subscriptions.parquet"), str(tmp_path / "customers.parquet"))


def test_map_and_status_policy_on_a_source(tmp_path, capsys):
    path = tmp_path / "renamed.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE subs (account VARCHAR, began DATE, stopped DATE, monthly DOUBLE, state VARCHAR)")
    con.execute("""INSERT INTO subs VALUES
        ('a', '2024-01-05', NULL, 10, 'active'), ('b', '2024-01-07', NULL, 20, 'past_due'),
        ('c', '2024-01-09', NULL, 30, 'incomplete'), (NULL, '2024-01-01', NULL, 5, 'active')""")
    con.close()
    base = ["metrics", "--source", f"duckdb:///{path}", "--table", "subs", "--map", "customer_id=account",
            "--map", "start_date=began", "--map", "end_date=stopped", "--map", "mrr=monthly", "--map", "status=state",
            "--as-of", "2024-02-29"]
    code, payload, err = run(capsys, *base, "--format", "table")
    assert code == 0
    # c is incomplete (excluded by the default policy), the row without a customer is rejected
    assert "2 of 4 rows rejected" in err and "status excluded by the status policy" in err
    code, payload, _ = run(capsys, *base, "--status", "past_due=exclude", "--format", "json")
    assert [r["mrr_end"] for r in payload["rows"]] == [10.0, 10.0]


def test_stripe_sync_preset(tmp_path, capsys):
    """Hand-worked: amounts in cents, one span per subscription item, trials and ended_at.

    A: s1 from 2024-01-10, items 2 × $25/month + $300/quarter = 50 + 100 = 150
    B: s2 from 2024-01-05, $1,200/year = 100, ended_at 2024-03-20 (churned in March)
    C: s3 trialing from 2024-02-01, trial_end 2024-02-15, $25/month: pays from Feb 15
    D: s4 incomplete: excluded by the status policy

    month-end MRR: Jan A150 B100 = 250; Feb + C25 = 275; Mar B gone = 175; Apr 175.
    """
    path = tmp_path / "stripe.duckdb"
    con = duckdb.connect(str(path))
    con.execute("""CREATE TABLE subscriptions AS SELECT * FROM (VALUES
        ('s1', 'cus_A', 'active', TIMESTAMP '2024-01-10 09:00', NULL::TIMESTAMP, NULL::TIMESTAMP, NULL::TIMESTAMP),
        ('s2', 'cus_B', 'canceled', TIMESTAMP '2024-01-05 10:00', TIMESTAMP '2024-03-20 08:00', NULL, NULL),
        ('s3', 'cus_C', 'trialing', TIMESTAMP '2024-02-01 00:00', NULL, NULL, TIMESTAMP '2024-02-15 00:00'),
        ('s4', 'cus_D', 'incomplete', TIMESTAMP '2024-01-01 00:00', NULL, NULL, NULL)
        ) AS t(id, customer, status, start_date, ended_at, cancel_at, trial_end)""")
    con.execute("""CREATE TABLE subscription_items AS SELECT * FROM (VALUES
        ('si1', 's1', 'price_m', 2), ('si5', 's1', 'price_q', 1), ('si2', 's2', 'price_y', 1),
        ('si3', 's3', 'price_m', 1), ('si4', 's4', 'price_m', 1)) AS t(id, subscription, price, quantity)""")
    con.execute("""CREATE TABLE prices AS SELECT * FROM (VALUES
        ('price_m', 2500, 'usd', 'month', 1), ('price_q', 30000, 'usd', 'month', 3), ('price_y', 120000, 'usd', 'year', 1)
        ) AS t(id, unit_amount, currency, recurring_interval, recurring_interval_count)""")
    con.close()
    code, payload, err = run(capsys, "metrics", "--source", f"duckdb:///{path}", "--preset", "stripe-sync",
                             "--as-of", "2024-04-30", "--format", "table")
    assert code == 0 and "1 of 5 rows rejected" in err, err
    code, payload, _ = run(capsys, "metrics", "--source", f"duckdb:///{path}", "--preset", "stripe-sync",
                           "--as-of", "2024-04-30", "--format", "json")
    rows = frame(payload)
    assert rows["period"].tolist() == ["2024-01", "2024-02", "2024-03", "2024-04"]
    assert rows["mrr_end"].tolist() == [250.0, 275.0, 175.0, 175.0]
    assert rows["customers_end"].tolist() == [2, 3, 2, 2]
    assert rows["mrr_churned"].tolist() == [0.0, 0.0, 100.0, 0.0]
    assert payload["files"][0]["rows_rejected"] == 1


def test_source_errors_are_one_line(tmp_path, capsys):
    code, _, err = run(capsys, "metrics", "--source", f"duckdb:///{tmp_path / 'empty.duckdb'}", "--table", "nope")
    assert code == 2 and "no table 'nope'" in err
    code, _, err = run(capsys, "metrics", "--source", "postgres://alice:s3cret@127.0.0.1:1/db", "--table", "x")
    assert code == 2 and "s3cret" not in err and "alice" not in err


def _duckdb_fixture(path: Path) -> str:
    con = duckdb.connect(str(path))
    con.execute(f"CREATE TABLE subscriptions AS SELECT * FROM read_csv('{SUBS}', all_varchar = true)")
    con.execute(f"CREATE TABLE customers AS SELECT * FROM read_csv('{CUSTS}', all_varchar = true)")
    con.close()
    return f"duckdb:///{path}"


def test_every_command_that_computes_takes_a_source(tmp_path, capsys):
    """survival, customers and forecast (committed MRR included) answer from the database exactly as from the files."""
    source = _duckdb_fixture(tmp_path / "billing.duckdb")
    files = ["--subscriptions", str(SUBS), "--customers", str(CUSTS)]
    database = ["--source", source, "--table", "subscriptions", "--customers-table", "customers"]
    asks = [
        ["survival", "--as-of", "2020-12-31"],
        ["survival", "--by", "plan", "--as-of", "2020-12-31"],
        ["customers", "--period", "2019-03", *AS_OF],
        ["customers", "--period", "2019-Q2", "--movement", "churned", *AS_OF],
        ["customers", "--cohort", "2019-02", "--age", "2", *AS_OF],
        ["customers", "--segment", "plan=Pro", "--period", "2020-06", *AS_OF],
        ["customers", "--customer", "I", *AS_OF],
        ["forecast", "--bootstrap", "0", "--months", "6", "--segment", "plan=Pro", *AS_OF],
        ["segments", "--by", "plan", "--period", "quarter", *AS_OF],
        ["segments", "--by", "country", "--to", "2019-03", *AS_OF],
        ["forecast", "--bootstrap", "0", "--months", "6", "--as-of", "2019-05-31", "--format", "json"],  # changes ahead
    ]
    for ask in asks:
        code, want, err = run(capsys, *ask, *files)
        assert code == 0, (ask, err)
        code, got, err = run(capsys, *ask, *database)
        assert code == 0, (ask, err)
        if "files" in got:  # how the input was read: a table's row counts instead of a file's
            assert got.pop("files")[0]["rows_used"] == want.pop("files")[0]["rows_used"] == 13
        assert got == want, ask
    # I at 2019-03: new, 100 (hand-worked in tests/contract/test_customers.py)
    code, got, _ = run(capsys, "customers", "--period", "2019-03", "--movement", "new", *AS_OF, *database)
    assert [(c["customer_id"], c["mrr_after"]) for c in got["customers"]] == [("I", 100.0)]
    code, _, err = run(capsys, "survival", "--by", "tier", *database)
    assert code == 2 and "no column 'tier' to split by" in err
    # Pro = A, C, F, G, I; at 2019-03: A100 C100 G50 I100 = 350 MRR, 4 customers (tests/contract/test_metrics_hand.py)
    code, got, _ = run(capsys, "segments", "--by", "plan", "--to", "2019-03", *AS_OF, *database)
    pro = next(r for r in got["segments"] if r["segment"] == "Pro")
    assert (pro["period"], pro["mrr_end"], pro["customers_end"]) == ("2019-03", 350.0, 4)
