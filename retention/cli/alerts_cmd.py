"""`python -m retention alerts add|list|remove|check`: rules on any metric of a saved dataset.

    alerts add --dataset NAME --metric logo_churn_rate --above 3
    alerts add --dataset NAME --metric nrr --down 2            # change: more than 2 points down
    alerts add --dataset NAME --metric arpa --anomaly          # outside the trailing 12-period band
    alerts list --dataset NAME
    alerts remove --dataset NAME ID
    alerts check --dataset NAME [--to EMAIL …] [--webhook URL …]   # from cron, after an import

`check` prints and sends only breaches not sent before (one per rule and period); a breach whose
message could not be delivered is sent again by the next run.  Exit 3 when a delivery failed.
"""

from __future__ import annotations

import argparse
import sys

from retention.cli.common import (
    CommandError,
    add_workspace_arguments,
    dataset_from_workspace,
    emit,
    parse_as_of,
    parse_segment,
    workspace_from_args,
)
from retention.cli.delivery_args import DELIVERY_FAILED, add_delivery_arguments, check_recipients, log_to_stderr, tr_of
from retention.engine.metrics import METRIC_NAMES


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("alerts", help="alert rules on metrics: add, list, remove, check")
    actions = parser.add_subparsers(dest="action", required=True, parser_class=type(parser))
    add = actions.add_parser("add", help="a new rule")
    add_workspace_arguments(add)
    add.add_argument("--metric", required=True, choices=METRIC_NAMES)
    rule = add.add_mutually_exclusive_group(required=True)
    rule.add_argument("--above", type=float, metavar="VALUE", help="threshold: fire when the value is above")
    rule.add_argument("--below", type=float, metavar="VALUE", help="threshold: fire when the value is below")
    rule.add_argument("--up", type=float, metavar="SIZE", help="change: fire when it rose by more than SIZE (points for rates)")
    rule.add_argument("--down", type=float, metavar="SIZE", help="change: fire when it fell by more than SIZE")
    rule.add_argument("--anomaly", action="store_true", help="fire when outside the robust band of the trailing 12 periods")
    add.add_argument("--period", choices=["month", "quarter", "year"], default="month")
    add.add_argument("--segment", metavar="COLUMN=VALUE", help="only customers whose attribute COLUMN is VALUE")
    add.set_defaults(run=_add)
    listing = actions.add_parser("list", help="the dataset's rules")
    add_workspace_arguments(listing)
    listing.add_argument("--format", choices=["table", "json"], default="table")
    listing.set_defaults(run=_list)
    remove = actions.add_parser("remove", help="remove a rule by its id")
    add_workspace_arguments(remove)
    remove.add_argument("id", type=int)
    remove.set_defaults(run=_remove)
    check = actions.add_parser("check", help="evaluate the rules on the current version and send new breaches")
    add_workspace_arguments(check)
    check.add_argument("--as-of", dest="as_of", metavar="YYYY-MM-DD", help="data as of this day (default: latest date in the data)")
    check.add_argument("--format", choices=["text", "json"], default="text")
    add_delivery_arguments(check)
    check.set_defaults(run=_check)


def _need_dataset(args: argparse.Namespace) -> str:
    if not getattr(args, "dataset", None):
        raise CommandError("alerts need --dataset NAME (a dataset saved in the workspace)")
    return args.dataset


def _add(args: argparse.Namespace) -> int:
    from retention.alerts import Rule, add_rule
    from retention.report.alerts import describe_rule

    name = _need_dataset(args)
    if args.anomaly:
        kind, direction, value = "anomaly", "outside", 0.0
    else:
        direction = next(d for d in ("above", "below", "up", "down") if getattr(args, d) is not None)
        kind, value = ("threshold" if direction in ("above", "below") else "change"), float(getattr(args, direction))
    try:
        rule = Rule(args.metric, kind, direction, value, args.period, parse_segment(args.segment))
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
    workspace = workspace_from_args(args)
    workspace.version(name)  # the dataset must exist
    saved = add_rule(workspace, name, rule)
    print(f"rule {saved.id}: {describe_rule(saved)}")
    return 0


def _list(args: argparse.Namespace) -> int:
    from retention.alerts import list_rules
    from retention.report.alerts import describe_rule

    rules = list_rules(workspace_from_args(args), _need_dataset(args))
    if args.format == "json":
        emit({"rules": [{"id": r.id, "metric": r.metric, "kind": r.kind, "direction": r.direction, "value": r.value,
                         "granularity": r.granularity, "segment": list(r.segment) if r.segment else None} for r in rules]}, None, "json")
    else:
        for r in rules:
            print(f"{r.id}\t{describe_rule(r)}")
    return 0


def _remove(args: argparse.Namespace) -> int:
    from retention.alerts import remove_rule

    if not remove_rule(workspace_from_args(args), _need_dataset(args), args.id):
        raise CommandError(f"no rule {args.id} for dataset {args.dataset}")
    print(f"rule {args.id} removed")
    return 0


def _check(args: argparse.Namespace) -> int:
    from retention.alerts import check_rules, mark_fired
    from retention.digests.delivery import DeliveryError, DeliveryLog, deliver, email_message
    from retention.digests.settings import smtp_settings
    from retention.report.alerts import describe_breach

    name = _need_dataset(args)
    check_recipients(args)
    log_to_stderr()
    tr = tr_of(args)
    data = dataset_from_workspace(args)
    workspace = workspace_from_args(args)
    new = check_rules(workspace, name, data, as_of=parse_as_of(args.as_of))
    currency = data.currency()
    lines = [describe_breach(b, tr, currency) for b in new]
    outcomes = []
    if new and (args.to or args.webhook):
        subject = tr("Retention alert: {dataset}", dataset=" ".join(name.split()))
        text = "\n".join([subject, "", *[f"- {line}" for line in lines]] + ([args.link] if args.link else [])) + "\n"
        import html as html_lib

        body = "<html><body><h3>" + html_lib.escape(subject) + "</h3><ul>" + "".join(
            f"<li>{html_lib.escape(line)}</li>" for line in lines) + "</ul></body></html>"
        key = f"{name}|alerts|" + ",".join(f"{b.rule.id}:{b.period}" for b in new)
        try:
            smtp = smtp_settings() if args.to else None
            outcomes = deliver(key, emails=args.to, webhooks=args.webhook, payload={"text": text}, smtp=smtp,
                               make_email=lambda to: email_message(sender=smtp.sender if smtp else "", to=to, subject=subject,
                                                                   text=text, html=body, key=key),
                               journal=DeliveryLog(workspace), attempts=args.retries)
        except (DeliveryError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
    failed = any(o.status == "failed" for o in outcomes)
    if not failed:
        mark_fired(workspace, new)
    if args.format == "json":
        emit({"breaches": [{"rule": b.rule.id, "metric": b.rule.metric, "period": b.period, "value": b.value, "text": t}
                           for b, t in zip(new, lines, strict=True)]}, None, "json")
    else:
        for line in lines:
            print(line)
        if not new:
            print("no new breach", file=sys.stderr)
    return DELIVERY_FAILED if failed else 0
