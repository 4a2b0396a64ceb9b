"""Forecasts: projected retention (shifted-beta-geometric model), LTV with its band, backtests,
the MRR forecast with scenarios and committed MRR from changes already scheduled in the data.

Engines return numbers and codes; text is translated where it is shown (pages, CLI, report).
"""
