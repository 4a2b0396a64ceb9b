"""Plotly figure builders. Each returns a `go.Figure`; pages only render them.

Modules: `revenue` (MRR and revenue retention), `overview` (customer retention), `cohorts`,
`survival`, `segments`, `engagement`, `feedback`, and `benchmark_lines` (industry lines and
targets drawn on any trend chart).
"""

from retention.figures.overview import customer_movements, logo_churn, ltv_lifetime, retention_rates
from retention.figures.revenue import arpa, mrr_bridge, mrr_line, mrr_movements, nrr_grr, quick_ratio, rate_lines

__all__ = [
    "arpa", "customer_movements", "logo_churn", "ltv_lifetime", "mrr_bridge", "mrr_line", "mrr_movements",
    "nrr_grr", "quick_ratio", "rate_lines", "retention_rates",
]
