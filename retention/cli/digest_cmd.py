"""`python -m retention digest`: the weekly or monthly review of one saved dataset, by e-mail and chat.

    python -m retention digest --workspace PATH --dataset NAME --period week|month
        [--to EMAIL …] [--webhook URL …] [--out FILE.html] [--language de] [--link URL]

Meant for a cron line after the nightly import.  A digest already delivered to a recipient is not
sent again (the workspace keeps a delivery log; `--force` sends anyway).  Exit status 0 when every
message went out (or had gone out before), 3 when one could not be delivered after its retries.
"""

from __future__ import annotations

import argparse
import sys

from retention.cli.common import CommandError, add_workspace_arguments, dataset_from_workspace, emit, workspace_from_args
from retention.cli.delivery_args import DELIVERY_FAILED, add_delivery_arguments, check_recipients, log_to_stderr, tr_of


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("digest", help="weekly or monthly digest of a saved dataset by e-mail and webhook")
    add_workspace_arguments(parser)
    parser.add_argument("--period", choices=["week", "month"], default="week")
    parser.add_argument("--as-of", dest="as_of", metavar="YYYY-MM-DD", help="review up to this day (default: latest date in the data)")
    parser.add_argument("--out", metavar="FILE.html", help="also write the HTML digest to this file")
    parser.add_argument("--force", action="store_true", help="send even to recipients who already got this digest")
    parser.add_argument("--format", choices=["text", "json"], default="text", help="what to print: the text digest or JSON")
    add_delivery_arguments(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from retention.cli.common import parse_as_of
    from retention.digests import build_digest, render_html, render_text, webhook_payload
    from retention.digests.delivery import DeliveryError, DeliveryLog, deliver, email_message
    from retention.digests.render import subject
    from retention.digests.settings import smtp_settings
    from retention.notes import list_notes

    if not args.dataset:
        raise CommandError("digest needs --dataset NAME (a dataset saved in the workspace)")
    check_recipients(args)
    log_to_stderr()
    tr = tr_of(args)
    data = dataset_from_workspace(args)
    workspace = workspace_from_args(args)
    notes = [(n.day.date().isoformat(), n.text) for n in list_notes(workspace, args.dataset)]
    try:
        digest = build_digest(data, dataset=args.dataset, period=args.period, as_of=parse_as_of(args.as_of), link=args.link,
                              notes=notes)
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
    html, text = render_html(digest, tr), render_text(digest, tr)
    if args.out:
        try:
            with open(args.out, "w", encoding="utf-8") as handle:
                handle.write(html)
        except OSError as exc:
            raise CommandError(f"{args.out}: cannot write ({exc.strerror})") from exc
    try:
        smtp = smtp_settings() if args.to else None
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
    sender = smtp.sender if smtp else ""
    try:
        outcomes = deliver(
            digest.key, emails=args.to, webhooks=args.webhook, payload=webhook_payload(digest, tr), smtp=smtp,
            make_email=lambda to: email_message(sender=sender, to=to, subject=subject(digest, tr), text=text, html=html, key=digest.key),
            journal=DeliveryLog(workspace), attempts=args.retries, force=args.force,
        )
    except DeliveryError as exc:
        raise CommandError(str(exc)) from exc
    if args.format == "json":
        emit({"digest": digest.key, "subject": subject(digest, tr),
              "deliveries": [{"channel": o.channel, "target": o.target, "status": o.status, "attempts": o.attempts} for o in outcomes]},
             None, "json")
    else:
        sys.stdout.write(text)
    return DELIVERY_FAILED if any(o.status == "failed" for o in outcomes) else 0
