"""Alert rules and fired breaches in the workspace: one transaction per change, nothing fired twice."""

from __future__ import annotations

import json

from retention.alerts.rules import Breach, Rule, evaluate
from retention.dataset import Dataset
from retention.engine import Query


def _ensure(con) -> None:
    con.execute("CREATE SEQUENCE IF NOT EXISTS al_ids START 1")
    con.execute("CREATE TABLE IF NOT EXISTS al_rules (id BIGINT PRIMARY KEY DEFAULT nextval('al_ids'), dataset TEXT NOT NULL, "
                "metric TEXT, kind TEXT, direction TEXT, value DOUBLE, granularity TEXT, segment TEXT, created TIMESTAMP DEFAULT now())")
    con.execute("CREATE TABLE IF NOT EXISTS al_fired (rule_id BIGINT, period TEXT, value DOUBLE, fired_at TIMESTAMP DEFAULT now(), "
                "PRIMARY KEY (rule_id, period))")


def _has_tables(con) -> bool:
    return bool(con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'al_rules'").fetchone()[0])


def add_rule(workspace, dataset: str, rule: Rule) -> Rule:
    """Keep `rule` for `dataset`; returns it with its id."""
    with workspace.write() as con:
        _ensure(con)
        row = con.execute(
            "INSERT INTO al_rules (dataset, metric, kind, direction, value, granularity, segment) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [dataset, rule.metric, rule.kind, rule.direction, rule.value, rule.granularity,
             json.dumps(list(rule.segment)) if rule.segment else None],
        ).fetchone()
    return Rule(rule.metric, rule.kind, rule.direction, rule.value, rule.granularity, rule.segment, int(row[0]))


def list_rules(workspace, dataset: str) -> list[Rule]:
    with workspace.read() as con:
        if con is None or not _has_tables(con):
            return []
        rows = con.execute("SELECT id, metric, kind, direction, value, granularity, segment FROM al_rules WHERE dataset = ? ORDER BY id",
                           [dataset]).fetchall()
    return [Rule(r[1], r[2], r[3], float(r[4]), r[5], tuple(json.loads(r[6])) if r[6] else None, int(r[0])) for r in rows]


def remove_rule(workspace, dataset: str, rule_id: int) -> bool:
    with workspace.write() as con:
        _ensure(con)
        gone = con.execute("DELETE FROM al_rules WHERE dataset = ? AND id = ? RETURNING id", [dataset, int(rule_id)]).fetchall()
        if gone:
            con.execute("DELETE FROM al_fired WHERE rule_id = ?", [int(rule_id)])
    return bool(gone)


def breaches(data: Dataset, rules: list[Rule], as_of=None) -> list[Breach]:
    """Every rule evaluated on the data's complete periods (no workspace needed: the Alerts page preview)."""
    engine = data.engine()
    found = []
    for rule in rules:
        table = engine.metrics(Query(granularity=rule.granularity, segment=rule.segment, as_of=as_of))
        breach = evaluate(rule, table)
        if breach is not None:
            found.append(breach)
    return found


def check_rules(workspace, dataset: str, data: Dataset, *, as_of=None, record: bool = False) -> list[Breach]:
    """The breaches not fired before (by rule and period).  The caller marks them fired (`mark_fired`) once
    they were delivered, so a failed send is tried again by the next run; `record` marks them at once."""
    found = breaches(data, list_rules(workspace, dataset), as_of)
    if not found:
        return []
    with workspace.read() as con:
        fired = set() if con is None else {(int(a), str(b)) for a, b in con.execute("SELECT rule_id, period FROM al_fired").fetchall()}
    new = [b for b in found if (b.rule.id, b.period) not in fired]
    if record:
        mark_fired(workspace, new)
    return new


def mark_fired(workspace, fired: list[Breach]) -> None:
    """Remember these breaches as sent (one transaction)."""
    if not fired:
        return
    with workspace.write() as con:
        _ensure(con)
        for b in fired:
            con.execute("INSERT OR IGNORE INTO al_fired (rule_id, period, value) VALUES (?, ?, ?)", [b.rule.id, b.period, b.value])
