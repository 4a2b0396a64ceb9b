"""What a subscription's billing status means for its MRR (METRICS.md §1), and the user's choice.

Billing systems export subscriptions in every state, including ones that never paid.  Dates
alone would count an `incomplete` Stripe subscription (first payment failed) as a customer, so
each status maps to one action:

- `count`: the row counts as written (start to end date; a `trial_end` still removes the trial).
- `trial`: in a trial: no MRR until `trial_end`; a trial with no trial end cannot be placed and
  is rejected.
- `churn`: stopped paying (Stripe `unpaid`, `paused`): when the end date is empty the span ends
  on its `paid_through` day (Stripe: current period start, Paddle: paused at), like Stripe's own
  MRR which counts a move to unpaid as churn; rejected when neither date is known.
- `exclude`: never a paying subscription (Stripe `incomplete`, `incomplete_expired`; void,
  draft or uncollectible invoices): rejected with the reason "status excluded by the status
  policy", so it is listed, counted and downloadable, never silently dropped.

Statuses not in the policy (and empty ones) are counted as written: the dates are the truth.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from retention.i18n import ENGLISH, N_, Translator

ACTIONS = ("count", "trial", "churn", "exclude")
ACTION_TEXT = {
    "count": N_("counted as written"),
    "trial": N_("no MRR until the trial ends"),
    "churn": N_("ended when payment stopped"),
    "exclude": N_("excluded (rejected with a reason)"),
}

DEFAULT_ACTIONS: dict[str, str] = {
    "active": "count", "past_due": "count", "non_renewing": "count", "canceled": "count", "cancelled": "count",
    "paid": "count", "open": "count", "future": "count",
    "trialing": "trial", "in_trial": "trial", "trial": "trial",
    "unpaid": "churn", "paused": "churn",
    "incomplete": "exclude", "incomplete_expired": "exclude",
    "void": "exclude", "draft": "exclude", "uncollectible": "exclude", "failed": "exclude",
}


@dataclass(frozen=True)
class StatusPolicy:
    """Status (lower case) -> action; statuses not listed are counted as written."""

    actions: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_ACTIONS))
    name: str = "default"

    def __post_init__(self) -> None:
        bad = {s: a for s, a in self.actions.items() if a not in ACTIONS}
        if bad:
            status, action = next(iter(bad.items()))
            raise ValueError(f"status action for {status!r} must be one of {', '.join(ACTIONS)}, got {action!r}")

    def action(self, status: str) -> str:
        return self.actions.get(status.strip().lower(), "count")

    def with_overrides(self, overrides: Mapping[str, str]) -> StatusPolicy:
        """This policy with some statuses changed (e.g. `{"past_due": "exclude"}`)."""
        if not overrides:
            return self
        merged = {**self.actions, **{k.strip().lower(): v.strip().lower() for k, v in overrides.items()}}
        return StatusPolicy(merged, name="custom")

    def describe(self, statuses: list[str] | None = None, tr: Translator = ENGLISH) -> list[str]:
        """One line per status ("trialing: no MRR until the trial ends"), for the Data page."""
        shown = statuses if statuses is not None else sorted(self.actions)
        return [tr("{status}: {action}", status=s, action=tr(ACTION_TEXT[self.action(s)])) for s in shown]


DEFAULT_STATUS_POLICY = StatusPolicy()


def parse_status_args(items: list[str]) -> dict[str, str]:
    """CLI `STATUS=ACTION` pairs, e.g. `--status past_due=exclude`."""
    overrides: dict[str, str] = {}
    for item in items:
        status, sep, action = item.partition("=")
        if not sep or not status.strip() or action.strip().lower() not in ACTIONS:
            raise ValueError(f"--status takes STATUS=ACTION with ACTION one of {', '.join(ACTIONS)}, got {item!r}")
        overrides[status.strip().lower()] = action.strip().lower()
    return overrides
