"""Digests: the weekly or monthly review, sent to the team by e-mail and to a chat channel.

    content.py   what a digest says (numbers and codes): KPIs with their change, benchmarks and
                 targets, the biggest movements with the customers behind them, at-risk accounts,
                 new churn reasons, notes, a short trend, a link to the dashboard view
    render.py    the same content as an HTML e-mail, its plain-text part and a chat message
                 (the incoming-webhook JSON Slack and Microsoft Teams accept), in one language
    delivery.py  SMTP with STARTTLS and credentials from secrets, webhooks, retries with backoff,
                 and a delivery log in the workspace so nothing is sent twice
    settings.py  where the SMTP server and its secrets come from (never printed or logged)

Only the named dataset's data goes into a message: a digest is built from one `Dataset`.
"""

from retention.digests.content import Digest, build_digest
from retention.digests.render import render_html, render_text, webhook_payload

__all__ = ["Digest", "build_digest", "render_html", "render_text", "webhook_payload"]
