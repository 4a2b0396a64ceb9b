"""Streamlit-only helpers shared by the pages: per-session state, sidebar controls, rendering.

Nothing here computes a metric; it reads widgets, calls `retention`, and renders.
"""
