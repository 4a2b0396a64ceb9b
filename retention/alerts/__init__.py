"""Alerts: rules on any metric, checked after each import, sending only new breaches.

    threshold   "monthly logo churn above 3 %": the last complete period's value against a limit
    change      "NRR down more than 2 points": last period against the one before
    anomaly     outside the band of the trailing 12 periods: median ± 3 × the scaled median absolute
                deviation (1.4826 × MAD, which equals the standard deviation for normal data), so one
                outlier in the trailing window neither widens nor shifts the band

Rules and the breaches already sent live in the workspace (tables `al_rules`, `al_fired`); a breach
is identified by rule and period, so `check` run again on the same data sends nothing.
"""

from retention.alerts.rules import ANOMALY_K, KINDS, Breach, Rule, evaluate
from retention.alerts.store import add_rule, breaches, check_rules, list_rules, mark_fired, remove_rule

__all__ = [
    "ANOMALY_K", "KINDS", "Breach", "Rule", "add_rule", "breaches", "check_rules", "evaluate", "list_rules", "mark_fired",
    "remove_rule",
]
