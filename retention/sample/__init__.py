"""Deterministic sample data: a made-up B2B SaaS company with believable retention.

    from retention.sample import generate, write_sample
    data = generate(customers=600, months=36, seed=7)
    write_sample(data, Path("sample_data"))

The same arguments always give the same files, on any day (the data ends in a fixed month).
"""

from retention.sample.generate import SampleData, Settings, default_event_rows, generate, generate_events
from retention.sample.writer import write_sample

__all__ = ["SampleData", "Settings", "default_event_rows", "generate", "generate_events", "write_sample"]
