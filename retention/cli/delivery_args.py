"""Arguments and sending shared by `digest` and `alerts check`: recipients, webhooks, language, link."""

from __future__ import annotations

import argparse
import logging
import sys

from retention.cli.common import CommandError
from retention.i18n import LANGUAGES, translator

DELIVERY_FAILED = 3
"""Exit status when a message could not be delivered after its retries (2 stays for user errors)."""


def add_delivery_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--to", action="append", default=[], metavar="EMAIL", help="send by e-mail (repeatable); SMTP from secrets")
    parser.add_argument("--webhook", action="append", default=[], metavar="URL",
                        help="post to a Slack or Microsoft Teams incoming webhook (repeatable)")
    parser.add_argument("--language", choices=list(LANGUAGES), default="en", help="language of the message (default en)")
    parser.add_argument("--link", metavar="URL", default="", help="address of the dashboard, linked from the message")
    parser.add_argument("--retries", type=int, default=4, metavar="N", help="attempts per recipient before giving up (default 4)")


def check_recipients(args: argparse.Namespace) -> None:
    for address in args.to:
        if "@" not in address or any(c in address for c in " \r\n<>"):
            raise CommandError(f"--to {address!r} is not an e-mail address")
    for url in args.webhook:
        if not url.startswith(("https://", "http://")):
            raise CommandError("--webhook takes an http(s) URL")
    if args.retries < 1:
        raise CommandError("--retries is at least 1")


def log_to_stderr() -> None:
    """Delivery steps (sent, retrying, gave up) as one line each on stderr, without secrets."""
    logger = logging.getLogger("retention.delivery")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False


def tr_of(args: argparse.Namespace):
    return translator(args.language)
