"""`python -m retention workspace …` and `--workspace PATH --dataset NAME` on the other commands.

The metric numbers are those of the hand-worked fixture of tests/test_metrics_hand.py: read from
a saved dataset they must be exactly the numbers read from the files.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from retention.cli import main

ROOT = Path(__file__).resolve().parents[1]


def cli(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture()
def ws(tmp_path: Path) -> Path:
    return tmp_path / "ws"


def test_import_list_versions_and_metrics_from_the_saved_dataset(capsys, ws: Path, metrics_fixtures: Path) -> None:
    subs, customers = metrics_fixtures / "subscriptions.csv", metrics_fixtures / "customers.csv"
    code, out, err = cli(capsys, "workspace", "import", "--dataset", "acme", "--workspace", ws, subs, customers)
    assert code == 0, err
    assert out.splitlines()[0] == f"acme: version 1 saved (replace) in {ws}"
    assert "subscriptions: subscriptions.csv:" in out and "customers: customers.csv:" in out

    code, out, err = cli(capsys, "workspace", "list", "--workspace", ws, "--format", "json")
    [row] = json.loads(out)["datasets"]
    assert (row["dataset"], row["version"], row["versions"]) == ("acme", 1, 1)

    from_files = cli(capsys, "metrics", "--subscriptions", subs, "--customers", customers, "--as-of", "2020-12-31",
                     "--format", "json", "--segment", "plan=Pro")
    from_store = cli(capsys, "metrics", "--workspace", ws, "--dataset", "acme", "--as-of", "2020-12-31",
                     "--format", "json", "--segment", "plan=Pro")
    assert from_store == from_files
    rows = {r["period"]: r for r in json.loads(from_store[1])["rows"]}
    assert rows["2019-01"]["crr"] is None
    code, out, _ = cli(capsys, "metrics", "--workspace", ws, "--dataset", "acme", "--as-of", "2020-12-31", "--format", "json")
    march = {r["period"]: r for r in json.loads(out)["rows"]}["2019-03"]
    # crr (5 − 1)/5 = 80; arpa 430/5; quick ratio 100/10 (tests/test_cli_metrics.py)
    assert (march["crr"], march["arpa"], march["quick_ratio"]) == (80, 86, 10)

    for command in (["cohorts"], ["survival", "--by", "plan"]):
        a = cli(capsys, *command, "--subscriptions", subs, "--customers", customers, "--as-of", "2020-12-31")
        b = cli(capsys, *command, "--workspace", ws, "--dataset", "acme", "--as-of", "2020-12-31")
        assert a == b and a[0] == 0, command


def test_append_rollback_export_delete(capsys, ws: Path, tmp_path: Path) -> None:
    jan = tmp_path / "subscriptions.csv"
    jan.write_text("customer_id,subscription_id,start_date,end_date,mrr\nc1,s1,2024-01-01,,100\n")
    cli(capsys, "workspace", "import", "--dataset", "acme", "--workspace", ws, jan)
    feb = tmp_path / "feb" / "subscriptions.csv"
    feb.parent.mkdir()
    feb.write_text("customer_id,subscription_id,start_date,end_date,mrr\nc1,s1,2024-01-01,,100\nc2,s2,2024-02-01,,40\n")
    code, out, err = cli(capsys, "workspace", "import", "--dataset", "acme", "--append", "--workspace", ws, feb,
                         "--format", "json")
    assert code == 0, err
    payload = json.loads(out)
    [part] = payload["parts"]
    assert (payload["version"], payload["action"], payload["unchanged"]) == (2, "append", False)
    assert (part["added"], part["identical"], part["replaced"], part["rows"]) == (1, 1, 0, 2)

    code, out, _ = cli(capsys, "workspace", "import", "--dataset", "acme", "--append", "--workspace", ws, feb)
    assert out == "acme: nothing new in these files; version 2 stays current\n"

    code, out, _ = cli(capsys, "workspace", "versions", "acme", "--workspace", ws, "--format", "csv")
    lines = out.splitlines()
    assert lines[0] == "version,current,created,by,action,based_on,files,read,used,rejected"
    assert [line.split(",")[:2] + [line.split(",")[4]] for line in lines[1:]] == [["2", "True", "append"], ["1", "False", "replace"]]

    code, out, _ = cli(capsys, "workspace", "rollback", "acme", "1", "--workspace", ws)
    assert out == "acme: version 1 is current again, as version 3\n"
    code, out, _ = cli(capsys, "metrics", "--workspace", ws, "--dataset", "acme", "--format", "json", "--as-of", "2024-03-31")
    assert {r["period"]: r["mrr_end"] for r in json.loads(out)["rows"]}["2024-02"] == 100
    code, out, _ = cli(capsys, "metrics", "--workspace", ws, "--dataset", "acme", "--dataset-version", "2", "--format", "json",
                       "--as-of", "2024-03-31")
    assert {r["period"]: r["mrr_end"] for r in json.loads(out)["rows"]}["2024-02"] == 140

    code, out, _ = cli(capsys, "workspace", "export", "acme", tmp_path / "out", "--workspace", ws, "--version", "2")
    assert (tmp_path / "out" / "subscriptions.csv").read_text().splitlines()[1:] == [
        "c1,s1,2024-01-01,,100.0,,1.0,,,", "c2,s2,2024-02-01,,40.0,,1.0,,,"]

    code, _, err = cli(capsys, "workspace", "delete", "acme", "--workspace", ws)
    assert code == 2 and err == "error: deleting 'acme' removes every version; add --yes to confirm\n"
    code, out, _ = cli(capsys, "workspace", "delete", "acme", "--workspace", ws, "--yes")
    assert out == "acme: deleted with its 3 version(s)\n"


@pytest.mark.parametrize("argv, message", [
    (["metrics", "--dataset", "nope"], "error: no dataset named 'nope'; the workspace has acme (workspace {ws})"),
    (["metrics"], "error: give --subscriptions FILE, or --dataset NAME to read a dataset saved in the workspace"),
    (["metrics", "--dataset", "acme", "--subscriptions", "x.csv"],
     "error: --dataset reads a saved dataset; leave out --subscriptions (or leave out --dataset)"),
    (["engagement", "--dataset", "acme"],
     "error: dataset 'acme' has no events; add them with: python -m retention workspace import --dataset 'acme' --append "
     "--events FILE"),
    (["workspace", "rollback", "acme", "7"], "error: dataset 'acme' has no version 7; its versions are 1; the workspace was not changed"),
    (["workspace", "versions", "other"], "error: no dataset named 'other'; the workspace has acme"),
    (["workspace", "import", "--dataset", "acme"],
     "error: give the files to import, e.g. workspace import --dataset NAME subscriptions.csv customers.csv"),
])
def test_errors_are_one_line(capsys, ws: Path, metrics_fixtures: Path, argv: list[str], message: str) -> None:
    cli(capsys, "workspace", "import", "--dataset", "acme", "--workspace", ws, metrics_fixtures / "subscriptions.csv")
    code, out, err = cli(capsys, *argv, "--workspace", ws)
    assert code == 2
    assert err == message.format(ws=ws) + "\n"


def test_kind_is_told_from_the_header_when_the_name_does_not_say(capsys, ws: Path, tmp_path: Path) -> None:
    export = tmp_path / "export_2024.csv"
    export.write_text("customer_id,start_date,mrr\nc1,2024-01-01,10\n")
    usage = tmp_path / "log.csv"
    usage.write_text("timestamp,user_id,customer_id\n2024-01-02T10:00:00Z,u1,c1\n")
    code, out, err = cli(capsys, "workspace", "import", "--dataset", "x", "--workspace", ws, export, usage)
    assert code == 0, err
    assert "subscriptions: export_2024.csv" in out and "events: log.csv" in out


def test_the_workspace_comes_from_the_environment(ws: Path, metrics_fixtures: Path) -> None:
    import os

    env = {**os.environ, "RETENTION_WORKSPACE": str(ws)}
    done = subprocess.run([sys.executable, "-m", "retention", "workspace", "import", "--dataset", "acme",
                           str(metrics_fixtures / "subscriptions.csv")], cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (ws / "workspace.duckdb").exists()
    listed = subprocess.run([sys.executable, "-m", "retention", "workspace", "list", "--format", "json"], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    assert json.loads(listed.stdout)["workspace"] == str(ws)
