"""Why customers left: cancellation reasons matched to the churned customers of the movement table.

    from retention.churn_reasons import match_reasons, by_reason, by_period, by_kind
    found = match_reasons(engine, query, data.churn_reasons.table, data.subscriptions.table)
    found.churns          # one row per churned customer and period, with its reason (or none)
    by_reason(found)      # reasons by churned customers and churned MRR

`matching` pairs each churn (METRICS.md §3/§4: paying at the previous snapshot, not at this one)
with the customer's cancellation record; `breakdown` counts them per reason, period, kind and segment.
"""

from retention.churn_reasons.breakdown import by_kind, by_period, by_reason, by_segment, comments
from retention.churn_reasons.matching import LAG_DAYS, LEAD_DAYS, NO_REASON, ChurnReasons, match_reasons

__all__ = ["LAG_DAYS", "LEAD_DAYS", "NO_REASON", "ChurnReasons", "by_kind", "by_period", "by_reason", "by_segment",
           "comments", "match_reasons"]
