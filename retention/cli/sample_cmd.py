"""`python -m retention sample`: write a deterministic sample data set."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("sample", help="generate a believable B2B SaaS data set")
    parser.add_argument("--customers", type=int, default=600)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", required=True, metavar="DIR")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from retention.sample import generate, write_sample

    data = generate(customers=args.customers, months=args.months, seed=args.seed)
    paths = write_sample(data, Path(args.out))
    for path in paths:
        print(path)
    return 0
