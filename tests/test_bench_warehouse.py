"""`./dev bench --warehouse` at a tiny size: what it reports per step is right (not how fast it is)."""

from __future__ import annotations

import pandas as pd

from retention.bench.warehouse import duckdb_spans, parse_count, run_engine, table_markdown


def test_sizes_parse():
    assert [parse_count(x) for x in ("10M", "1.5M", "20k", "300")] == [10_000_000, 1_500_000, 20_000, 300]


def test_steps_report_rows_back_and_memory(tmp_path):
    table = duckdb_spans(tmp_path / "tiny.duckdb", 2_000)
    try:
        lines: list[str] = []
        records = run_engine("duckdb", 2_000, table, ["metrics month", "metrics year", "cohorts month"], lines.append)
    finally:
        table.get_backend().disconnect()
    by_step = {r["step"]: r for r in records}
    # spans start on 2018-01-01 at the earliest and the bench's "today" is 2024-12-31:
    # January 2018 to December 2024 is 7 × 12 = 84 complete months, 7 complete years
    assert by_step["metrics month"]["rows back"] == 84
    assert by_step["metrics year"]["rows back"] == 7
    # cohort cells: at most one per (cohort, later month) pair, 84 × 85 / 2
    assert 0 < by_step["cohorts month"]["rows back"] <= 84 * 85 // 2
    for record in records:
        assert record["customers"] == "0.4k" and record["spans"] == "2k"
        assert 0 < record["python heap peak MB"] < 50
        assert record["process maxrss MB after"] >= record["process maxrss MB before"] > 0
        assert record["db process peak MB"] is None  # DuckDB runs inside this process
    assert len(lines) == 3 and lines[0].startswith("  duckdb 2k metrics month: ")
    text = table_markdown(pd.DataFrame(records))
    assert text.splitlines()[0].startswith("| backend | spans | customers | step | seconds | rows back |")
    assert "| duckdb | 2k | 0.4k | metrics month |" in text and "| 84 |" in text
