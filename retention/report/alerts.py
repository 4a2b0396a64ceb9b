"""Alert rules and breaches in words, in the reader's language (the page, the CLI, the messages)."""

from __future__ import annotations

from retention.alerts.rules import Breach, Rule
from retention.glossary import METRICS
from retention.i18n import ENGLISH, Translator
from retention.report.sections import format_value


def _metric(rule: Rule, tr: Translator) -> str:
    name = tr(METRICS[rule.metric].label) if rule.metric in METRICS else rule.metric
    segment = f" ({rule.segment[0]} = {rule.segment[1]})" if rule.segment else ""
    return name + segment


def _amount(rule: Rule, value: float, tr: Translator, currency: str) -> str:
    return format_value(rule.metric, value, tr.language, currency)


def describe_rule(rule: Rule, tr: Translator = ENGLISH, currency: str = "USD") -> str:
    """`Logo churn rate above 3.0 % (month)`, `NRR down by more than 2 points`, `ARPA outside its usual band`."""
    metric = _metric(rule, tr)
    if rule.kind == "threshold":
        text = (tr("{metric} above {value}", metric=metric, value=_amount(rule, rule.value, tr, currency)) if rule.direction == "above"
                else tr("{metric} below {value}", metric=metric, value=_amount(rule, rule.value, tr, currency)))
    elif rule.kind == "change":
        size = f"{rule.value:g}"
        text = (tr("{metric} up by more than {size} from one period to the next", metric=metric, size=size) if rule.direction == "up"
                else tr("{metric} down by more than {size} from one period to the next", metric=metric, size=size))
    else:
        text = tr("{metric} outside the band of its last 12 periods", metric=metric)
    return f"{text} [{rule.granularity}]"


def describe_breach(breach: Breach, tr: Translator = ENGLISH, currency: str = "USD") -> str:
    """One sentence: what happened in which period, against which bound."""
    rule = breach.rule
    value = _amount(rule, breach.value, tr, currency)
    if rule.kind == "anomaly":
        return tr("{period}: {metric} is {value}, outside its usual band {low} – {high}", period=breach.period,
                  metric=_metric(rule, tr), value=value, low=_amount(rule, breach.low or 0.0, tr, currency),
                  high=_amount(rule, breach.high or 0.0, tr, currency))
    if rule.kind == "change":
        return tr("{period}: {metric} went from {previous} to {value}", period=breach.period, metric=_metric(rule, tr),
                  previous=_amount(rule, breach.previous or 0.0, tr, currency), value=value)
    return tr("{period}: {metric} is {value} (limit {bound})", period=breach.period, metric=_metric(rule, tr), value=value,
              bound=_amount(rule, breach.bound, tr, currency))
