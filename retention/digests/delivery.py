"""Sending a digest or an alert: SMTP e-mail (STARTTLS, login) and chat webhooks, with retries.

A send that fails for a reason that can pass (connection refused, timeout, SMTP 4xx, HTTP 5xx or
429) is retried with exponential backoff; one that cannot (bad credentials, HTTP 4xx) stops at once.
Every outcome is logged without secrets (webhook URLs are logged by host only, passwords never).

Nothing is sent twice: a delivery that succeeded is written to the workspace's delivery log under
the message's key and a hash of its target, and a later run (the cron job again, or a retry after
another channel failed) skips it.  E-mails carry a Message-ID made from the same key, so a mail
system that sees one twice can drop the copy.
"""

from __future__ import annotations

import hashlib
import json
import logging
import smtplib
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from urllib.parse import urlsplit

from retention.digests.settings import SmtpSettings

log = logging.getLogger("retention.delivery")
ATTEMPTS = 4
BACKOFF_SECONDS = 0.5
TIMEOUT_SECONDS = 10.0


class DeliveryError(Exception):
    """A message could not be delivered after its retries (the text says where, never with secrets)."""


class _Permanent(Exception):
    """A failure that retrying cannot fix."""


@dataclass(frozen=True)
class Outcome:
    channel: str  # "email" or "webhook"
    target: str  # recipient, or the webhook's host
    status: str  # "sent", "skipped" (already sent), "failed"
    attempts: int = 0
    detail: str = ""


def target_hash(target: str) -> str:
    return hashlib.sha256(target.encode("utf-8")).hexdigest()[:32]


def webhook_host(url: str) -> str:
    """What may be shown of a webhook URL: scheme and host (the path is its secret)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or '?'}" + (f":{parts.port}" if parts.port else "")


def _retry(action: Callable[[], None], describe: str, attempts: int, backoff: float, sleep=time.sleep) -> int:
    """Run `action` until it succeeds; returns the number of attempts.  Raises DeliveryError at the end."""
    for attempt in range(1, attempts + 1):
        try:
            action()
            return attempt
        except _Permanent as exc:
            raise DeliveryError(f"{describe}: {exc}") from exc
        except (OSError, smtplib.SMTPException, TimeoutError) as exc:
            if attempt == attempts:
                raise DeliveryError(f"{describe}: gave up after {attempts} attempts ({_reason(exc)})") from exc
            wait = backoff * 2 ** (attempt - 1)
            log.warning("%s: attempt %d failed (%s); retrying in %.1f s", describe, attempt, _reason(exc), wait)
            sleep(wait)
    return attempts  # pragma: no cover - the loop returns or raises


def _reason(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"SMTP {exc.smtp_code}"
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code}"
    return type(exc).__name__


def email_message(*, sender: str, to: str, subject: str, text: str, html: str, key: str) -> EmailMessage:
    """A multipart/alternative e-mail: the plain-text part first, the HTML part second (RFC 2046 order)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    domain = sender.rpartition("@")[2] or "retention.local"
    message["Message-ID"] = f"<{target_hash(key + '|' + to)}@{domain}>"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


def send_email(settings: SmtpSettings, message: EmailMessage, *, attempts: int = ATTEMPTS, backoff: float = BACKOFF_SECONDS) -> int:
    """Send over SMTP, upgrading to TLS with STARTTLS when configured, and log in when a user is set."""
    def once() -> None:
        context = ssl.create_default_context(cafile=settings.ca_file or None)
        with smtplib.SMTP(settings.host, settings.port, timeout=TIMEOUT_SECONDS) as smtp:
            smtp.ehlo()
            if settings.starttls:
                smtp.starttls(context=context)
                smtp.ehlo()
            if settings.user:
                try:
                    smtp.login(settings.user, settings.password)
                except smtplib.SMTPAuthenticationError as exc:
                    raise _Permanent(f"the SMTP server refused the login of {settings.user} (check the password in secrets)") from exc
            try:
                smtp.send_message(message)
            except smtplib.SMTPRecipientsRefused as exc:
                raise _Permanent(f"the SMTP server refused the recipient {message['To']}") from exc

    return _retry(once, f"e-mail to {message['To']} via {settings.host}:{settings.port}", attempts, backoff)


def post_webhook(url: str, payload: dict[str, object], *, attempts: int = ATTEMPTS, backoff: float = BACKOFF_SECONDS) -> int:
    """POST the JSON payload; 2xx is success, 5xx/429/timeouts are retried, other 4xx are not."""
    body = json.dumps(payload).encode("utf-8")

    def once() -> None:
        request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 - the operator's URL
                response.read()
        except urllib.error.HTTPError as exc:
            if exc.code == 429 or exc.code >= 500:
                raise
            raise _Permanent(f"the webhook answered HTTP {exc.code}; check its URL") from exc
        except (TimeoutError, urllib.error.URLError) as exc:
            raise OSError(str(getattr(exc, "reason", exc))) from exc

    return _retry(once, f"webhook {webhook_host(url)}", attempts, backoff)


class DeliveryLog:
    """Which messages already went where, kept in the workspace (table `dg_deliveries`)."""

    def __init__(self, workspace) -> None:
        self.workspace = workspace

    def _ensure(self, con) -> None:
        con.execute("CREATE TABLE IF NOT EXISTS dg_deliveries (key TEXT, channel TEXT, target TEXT, sent_at TIMESTAMP, "
                    "PRIMARY KEY (key, channel, target))")

    def sent(self, key: str, channel: str, target: str) -> bool:
        with self.workspace.read() as con:
            if con is None:
                return False
            found = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'dg_deliveries'").fetchone()[0]
            if not found:
                return False
            row = con.execute("SELECT 1 FROM dg_deliveries WHERE key = ? AND channel = ? AND target = ?",
                              [key, channel, target_hash(target)]).fetchone()
            return row is not None

    def record(self, key: str, channel: str, target: str) -> None:
        with self.workspace.write() as con:
            self._ensure(con)
            con.execute("INSERT OR IGNORE INTO dg_deliveries VALUES (?, ?, ?, now())", [key, channel, target_hash(target)])


def deliver(
    key: str, *, emails: list[str], webhooks: list[str], make_email: Callable[[str], EmailMessage],
    payload: dict[str, object], smtp: SmtpSettings | None, journal: DeliveryLog | None,
    attempts: int = ATTEMPTS, backoff: float = BACKOFF_SECONDS, force: bool = False,
) -> list[Outcome]:
    """Send to every recipient and webhook not yet served for `key`; one failure does not stop the others."""
    outcomes: list[Outcome] = []
    if emails and smtp is None:
        raise DeliveryError("no SMTP server configured: set RETENTION_SMTP_HOST (and user, password, from) "
                            "or an [smtp] section in .streamlit/secrets.toml")
    targets = [("email", to) for to in emails] + [("webhook", url) for url in webhooks]
    for channel, target in targets:
        shown = target if channel == "email" else webhook_host(target)
        if journal is not None and not force and journal.sent(key, channel, target):
            outcomes.append(Outcome(channel, shown, "skipped", 0, "already sent"))
            log.info("%s %s: already sent for %s", channel, shown, key)
            continue
        try:
            if channel == "email":
                tries = send_email(smtp, make_email(target), attempts=attempts, backoff=backoff)  # type: ignore[arg-type]
            else:
                tries = post_webhook(target, payload, attempts=attempts, backoff=backoff)
        except DeliveryError as exc:
            log.error("%s", exc)
            outcomes.append(Outcome(channel, shown, "failed", attempts, str(exc)))
            continue
        if journal is not None:
            journal.record(key, channel, target)
        log.info("%s %s: sent (attempt %d)", channel, shown, tries)
        outcomes.append(Outcome(channel, shown, "sent", tries))
    return outcomes
