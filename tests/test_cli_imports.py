"""A CLI command imports only what it needs (issue 15): `metrics` and `--help` never pay for
lifelines (and the SciPy it pulls in), Plotly, XlsxWriter, openpyxl, Babel or DuckDB.

Each command runs in a fresh interpreter with `-X importtime`, which lists every module the
process imported, so the test sees exactly what a user's `python -m retention …` loads.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("lifelines", "scipy", "plotly", "xlsxwriter", "openpyxl", "babel", "duckdb", "streamlit")


def imported(*argv: str | Path) -> tuple[set[str], subprocess.CompletedProcess[str]]:
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "retention", *map(str, argv)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    modules = {line.split("|")[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    return {m.split(".")[0] for m in modules}, done


@pytest.mark.parametrize("argv", [("--help",), ("metrics", "--help")])
def test_help_imports_nothing_heavy(argv: tuple[str, ...]) -> None:
    top, done = imported(*argv)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "usage:" in done.stdout
    assert not top & set(HEAVY), sorted(top & set(HEAVY))


def test_the_command_list_imports_no_command_and_no_pandas() -> None:
    """`python -m retention --help` lists every command from `cli.COMMANDS` alone: no command module, no NumPy,
    no pandas (they were 1.3 s of a 1.4 s `--help` on the 2-core machine)."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "retention", "--help"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    modules = {line.split("|")[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    assert done.returncode == 0, done.stderr[-2000:]
    assert {m.split(".")[0] for m in modules}.isdisjoint({"numpy", "pandas", "pyarrow", *HEAVY})
    assert not {m for m in modules if m.endswith("_cmd")}
    assert re.search(r"workspace\s+saved datasets", done.stdout)


def test_the_command_table_says_what_each_module_registers() -> None:
    """The help line and module of every command in `cli.COMMANDS` are what the module's `register` adds, so the
    short list and each command's own parser never disagree."""
    import argparse
    import importlib

    from retention.cli import COMMANDS, build_parser

    registered = build_parser()  # every command registered by its module
    commands = next(a for a in registered._actions if isinstance(a, argparse._SubParsersAction))
    helps = {c.dest: c.help for c in commands._choices_actions}
    assert helps == {name: text for name, (_, text) in COMMANDS.items()}
    assert list(commands.choices) == list(COMMANDS)
    for name, (module, _) in COMMANDS.items():  # each module adds exactly the command it is listed for
        alone = argparse.ArgumentParser().add_subparsers()
        importlib.import_module(module).register(alone)
        assert list(alone.choices) == [name]


def test_an_unknown_command_is_one_line_and_status_2() -> None:
    done = subprocess.run([sys.executable, "-m", "retention", "metricz"], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 2
    assert done.stderr.startswith("error: argument command: invalid choice: 'metricz'")
    assert "Traceback" not in done.stderr


def test_metrics_imports_neither_lifelines_nor_plotly(metrics_fixtures: Path) -> None:
    top, done = imported("metrics", "--subscriptions", metrics_fixtures / "subscriptions.csv", "--as-of", "2020-12-31",
                         "--format", "csv")
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("period,customers_start")
    assert "2019-03" in done.stdout  # the command really computed the table
    assert not top & set(HEAVY), sorted(top & set(HEAVY))


def test_survival_still_imports_lifelines_when_it_needs_it(metrics_fixtures: Path) -> None:
    top, done = imported("survival", "--subscriptions", metrics_fixtures / "subscriptions.csv", "--as-of", "2020-12-31")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "lifelines" in top and '"curves"' in done.stdout


ENGAGEMENT = Path(__file__).parent / "fixtures" / "engagement"
READ_BY_COMMAND = [
    # (command and its own arguments, files read and their rows read/used/rejected: subscriptions.csv has 5 rows,
    # events.csv 12, surveys.csv 12; none rejected)
    (["cohorts"], {"subscriptions.csv": (5, 5, 0)}),
    (["survival"], {"subscriptions.csv": (5, 5, 0)}),
    (["customers", "--period", "2025-03"], {"subscriptions.csv": (5, 5, 0)}),
    (["forecast", "--bootstrap", "5"], {"subscriptions.csv": (5, 5, 0)}),
    (["engagement", "--events", ENGAGEMENT / "events.csv"], {"subscriptions.csv": (5, 5, 0), "events.csv": (12, 12, 0)}),
    (["feedback", "--surveys", ENGAGEMENT / "surveys.csv"], {"subscriptions.csv": (5, 5, 0), "surveys.csv": (12, 12, 0)}),
]


@pytest.mark.parametrize(("argv", "read"), READ_BY_COMMAND, ids=[c[0][0] for c in READ_BY_COMMAND])
def test_every_command_says_in_json_how_each_file_was_read(capsys, argv, read):
    from retention.cli import main

    code = main([*map(str, argv), "--subscriptions", str(ENGAGEMENT / "subscriptions.csv"), "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    files = {f["file"]: (f["rows_read"], f["rows_used"], f["rows_rejected"]) for f in json.loads(out)["files"]}
    assert files == read
