"""Churn reasons, the fourth kind of input: headers recognised, rows used or rejected with a reason,
wired through `load_dataset` and the workspace store (issue 18)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from retention.dataset import load_dataset
from retention.importing import LoadError
from retention.importing.churn_reasons import load_churn_reasons

FIXTURES = Path(__file__).parent / "fixtures" / "churn_reasons"


def _load(name: str):
    return load_churn_reasons((FIXTURES / name).read_bytes(), name)


def test_ravenstack_style_churn_events_are_recognised() -> None:
    result = _load("churn_events.csv")
    assert result.mapping == {"customer_id": "account_id", "date": "churn_date", "reason": "reason_code",
                              "comment": "feedback_text", "refund": "refund_amount_usd"}
    table = result.table
    assert list(table.columns) == ["customer_id", "date", "reason", "comment", "refund", "kind"]
    assert list(table["customer_id"]) == ["a", "b", "c", "f", "d"]
    assert list(table["reason"]) == ["pricing", "payment failed", "Pricing", "missing features", "support"]
    assert list(table["kind"].astype(str)) == ["voluntary", "involuntary", "voluntary", "voluntary", "voluntary"]
    assert table["date"].iloc[1] == pd.Timestamp("2024-02-20")
    assert table["refund"].iloc[0] == pytest.approx(10.5)
    assert pd.isna(table["refund"].iloc[3])
    assert list(table["comment"]) == ["too expensive for us", "", "switched to a competitor", "no API", "thinking about leaving"]
    assert (result.rows_read, result.rows_used, result.rows_rejected) == (5, 5, 0)


def test_bad_rows_are_rejected_with_file_row_column_and_reason() -> None:
    result = _load("cancellations_bad.csv")
    assert result.mapping["reason"] == "Cancellation Reason"
    assert result.mapping["date"] == "Cancelled At"
    assert (result.rows_read, result.rows_used, result.rows_rejected) == (7, 2, 5)
    rejects = result.rejects.set_index("row")
    assert rejects.loc[3, "column"] == "Customer ID" and rejects.loc[3, "reason"] == "missing customer id"
    assert rejects.loc[4, "column"] == "Cancelled At" and rejects.loc[4, "reason"] == "not a date"
    assert rejects.loc[5, "reason"].startswith("no reason and no comment")
    assert rejects.loc[7, "column"] == "Refund" and rejects.loc[7, "reason"] == "a refund is an amount of 0 or more"
    assert rejects.loc[8, "reason"] == "not a number"
    assert set(rejects["file"]) == {"cancellations_bad.csv"}
    table = result.table
    assert list(table["customer_id"]) == ["x1", "x5"]
    assert table["refund"].iloc[0] == pytest.approx(12.5)  # a semicolon file's decimal comma
    assert list(table["kind"].astype(str)) == ["voluntary", "involuntary"]  # "card declined" in the comment


def test_stripe_reason_beside_feedback_and_an_explicit_type() -> None:
    stripe = ("Customer ID,Canceled At (UTC),Cancellation Reason,Cancellation Feedback,Cancellation Comment\n"
              "cus_1,2024-05-01,cancellation_requested,too_expensive,\n"
              "cus_2,2024-05-02,payment_failed,,\n")
    result = load_churn_reasons(stripe.encode(), "stripe.csv")
    assert result.mapping["reason"] == "Cancellation Feedback"
    assert list(result.table["reason"]) == ["too expensive", "payment failed"]  # the reason column when feedback is empty
    assert list(result.table["kind"].astype(str)) == ["voluntary", "involuntary"]  # read from the other reason column
    typed = load_churn_reasons(b"customer,date,reason,churn_type\nq,2024-01-01,moved,involuntary\nr,2024-01-02,x,maybe\n",
                               "typed.csv")
    assert list(typed.table["kind"].astype(str)) == ["involuntary"]
    assert typed.rejects["reason"].tolist() == ["unknown churn type (use voluntary or involuntary)"]


def test_a_file_without_customer_or_reason_is_refused_with_the_columns_found() -> None:
    with pytest.raises(LoadError) as caught:
        load_churn_reasons(b"account_id,churn_date,score\na,2024-01-01,3\n", "odd.csv")
    text = caught.value.message()
    assert "odd.csv" in text and "reason" in text and "account_id, churn_date, score" in text


def test_load_dataset_and_workspace_keep_churn_reasons(tmp_path) -> None:
    data = load_dataset(FIXTURES / "subscriptions.csv", FIXTURES / "customers.csv",
                        churn_reasons=FIXTURES / "churn_events.csv")
    assert data.churn_reasons is not None and data.churn_reasons.rows_used == 5
    assert any(r.kind == "churn reasons" for r in data.results())
    from retention.workspace import open_workspace

    ws = open_workspace(tmp_path / "ws")
    ws.save("acme", data)
    loaded = ws.load("acme")
    assert loaded.churn_reasons is not None
    pd.testing.assert_frame_equal(loaded.churn_reasons.table, data.churn_reasons.table)
    ws.import_files("files", subscriptions=FIXTURES / "subscriptions.csv", churn_reasons=FIXTURES / "churn_events.csv")
    assert ws.load("files").churn_reasons.rows_used == 5


def test_cli_workspace_import_takes_churn_reasons_by_flag_and_by_name(capsys, tmp_path) -> None:
    from retention.cli import main
    from retention.workspace import open_workspace

    ws = tmp_path / "ws"
    code = main(["workspace", "import", "--dataset", "acme", "--workspace", str(ws), str(FIXTURES / "subscriptions.csv"),
                 "--churn-reasons", str(FIXTURES / "cancellations_bad.csv")])
    assert code == 0, capsys.readouterr().err
    saved = open_workspace(ws).load("acme").churn_reasons
    assert (saved.rows_used, saved.rows_rejected) == (2, 5)
    code = main(["workspace", "import", "--dataset", "named", "--workspace", str(ws), str(FIXTURES / "subscriptions.csv"),
                 str(FIXTURES / "churn_events.csv")])  # told apart by its name
    assert code == 0, capsys.readouterr().err
    assert open_workspace(ws).load("named").churn_reasons.rows_used == 5
