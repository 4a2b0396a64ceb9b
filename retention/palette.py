"""Colours that mean the same thing on every chart and in every export.

Kept apart from `retention.figures.theme` so the Excel export can colour its native charts
without importing Plotly (a CLI command or an export must not pay for the charting library).
"""

from __future__ import annotations

COLORS = {
    "mrr_new": "#16a34a",
    "mrr_expansion": "#86efac",
    "mrr_reactivation": "#0d9488",
    "mrr_contraction": "#f59e0b",
    "mrr_churned": "#dc2626",
    "primary": "#2563eb",
    "secondary": "#7c3aed",
    "muted": "#64748b",
    "good": "#16a34a",
    "bad": "#dc2626",
}
