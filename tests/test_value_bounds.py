"""Amounts, quantities and dates no real subscription has: rejected or reported, never silently wrong.

Amounts near 1e308 used to reach the int64 micro-unit matrix and wrap around; a 1900 start made
125 years of monthly periods.  Each case here is small enough to check by hand.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from retention.cli import main
from retention.dataset import Dataset
from retention.engine.snapshots import build_model
from retention.importing import bounds, load_subscriptions

HEADER = "customer_id,start_date,end_date,amount,interval,quantity\n"


def _load(body: str, name: str = "subs.csv"):
    return load_subscriptions((HEADER + body).encode(), name)


def _reasons(result) -> dict[int, str]:
    return {int(r.row): r.reason for r in result.rejects.itertuples()}


def test_amounts_quantities_and_counts_beyond_bounds_are_rejected_with_a_reason() -> None:
    huge = "1" + "0" * 308  # 1e308: finite, far above any ceiling
    result = _load(
        f"a,2024-01-01,,{huge},month,1\n"          # row 2: 1e308 a month
        "b,2024-01-01,,20000000,month,1\n"         # row 3: 20 M a month > 10 M ceiling
        "c,2024-01-01,,100,month,5000000000000\n"  # row 4: quantity 5e12
        "d,2024-01-01,,120000000,year,1\n"         # row 5: 10 M a month: at the ceiling, kept
        "e,2024-01-01,,9000000,month,2\n"          # row 6: 18 M a month through the quantity
        "f,2024-01-01,,100,month,1\n"              # row 7: ordinary
    )
    assert _reasons(result) == {2: bounds.TOO_LARGE, 3: bounds.TOO_LARGE, 4: bounds.QUANTITY_TOO_LARGE, 6: bounds.TOO_LARGE}
    assert result.table["mrr"].tolist() == [10_000_000.0, 100.0]
    assert result.rows_read == result.rows_used + result.rows_rejected == 6


def test_the_ceiling_is_configurable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(bounds.MAX_MONTHLY_ENV, "1000")
    result = _load("a,2024-01-01,,1001,month,1\nb,2024-01-01,,12000,year,1\n")
    assert _reasons(result) == {2: bounds.TOO_LARGE}
    assert result.table["mrr"].tolist() == [1000.0]


def test_interval_counts_beyond_a_century_are_rejected() -> None:
    data = b"customer_id,start_date,amount,interval,interval_count\na,2024-01-01,100,month,5000\nb,2024-01-01,300,month,3\n"
    result = load_subscriptions(data, "counts.csv")
    assert _reasons(result) == {2: bounds.COUNT_TOO_LARGE}
    assert result.table["mrr"].tolist() == [100.0]


def test_dates_before_1990_are_rejected_and_do_not_stretch_the_grid() -> None:
    result = _load("a,1900-01-01,,100,month,1\nb,2024-01-01,1989-12-31,100,month,1\nc,2024-01-01,,100,month,1\n")
    assert _reasons(result) == {2: bounds.TOO_EARLY, 3: "ends before it starts"}
    model = build_model(result.table, pd.Timestamp("2024-06-30"))
    assert str(model.months[0]) == "2024-01" and len(model.months) == 6


def test_dates_years_before_the_rest_are_reported_and_the_history_starts_after_them(capsys) -> None:
    body = "old,2003-05-01,,100,month,1\n" + "".join(
        f"c{i},{2020 + i % 4}-{1 + i % 12:02d}-01,,100,month,1\n" for i in range(150)
    )
    result = _load(body)
    assert result.rows_rejected == 0
    assert result.flagged["row"].tolist() == [2]
    assert result.flagged["reason"].tolist() == [bounds.FAR_FROM_REST]
    assert result.flagged["value"].tolist() == ["2003-05-01"]
    assert Dataset(result).history_start() == pd.Timestamp("2020-01-01")


def test_the_cli_names_the_rows_to_check(tmp_path, capsys) -> None:
    body = "old,2003-05-01,,100,month,1\n" + "".join(f"c{i},2021-{1 + i % 12:02d}-01,,100,month,1\n" for i in range(120))
    path = tmp_path / "subs.csv"
    path.write_text(HEADER + body)
    assert main(["metrics", "--subscriptions", str(path), "--format", "json"]) == 0
    err = capsys.readouterr().err
    assert "warning: subs.csv: 1 rows used but to check: date years before the rest of the data" in err
    assert "(rows 2)" in err


def test_a_table_built_elsewhere_with_an_infinite_mrr_is_refused_by_the_engine() -> None:
    table = pd.DataFrame({"customer_id": ["a"], "start_date": [pd.Timestamp("2024-01-01")], "end_date": [pd.NaT],
                          "mrr": [np.inf]})
    with pytest.raises(ValueError, match="finite"):
        build_model(table, pd.Timestamp("2024-03-31"))


def test_no_gap_no_outlier() -> None:
    dates = pd.Series(pd.to_datetime(["2019-01-01", "2021-01-01", "2023-06-01"]))
    assert not bounds.far_from_rest(dates).any()


def test_the_suite_runs_with_warnings_as_errors() -> None:
    """A NumPy "invalid value encountered in cast" (the old overflow symptom) fails whichever test triggers it."""
    import tomllib
    from pathlib import Path

    config = tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml").read_text(encoding="utf-8"))
    assert config["tool"]["pytest"]["ini_options"]["filterwarnings"][0] == "error"
