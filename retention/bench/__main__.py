"""`python -m retention.bench`: see `retention.bench` for what is measured and how."""

from retention.bench import main

raise SystemExit(main())
