"""What an import returns: the canonical table, the rejects, and the row accounting."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd


@dataclass
class LoadResult:
    """A canonical table plus every row that could not be used and why.

    `rows_read == rows_used + rows_rejected` always; the rejects table has one line per
    rejected row (file, row, column, value, reason).
    """

    kind: str
    file: str
    table: pd.DataFrame
    rejects: pd.DataFrame
    rows_read: int
    mapping: dict[str, str] = field(default_factory=dict)

    @property
    def rows_used(self) -> int:
        return len(self.table)

    @property
    def rows_rejected(self) -> int:
        return len(self.rejects)

    def __post_init__(self) -> None:
        if self.rows_used + self.rows_rejected != self.rows_read:
            raise AssertionError(
                f"row accounting broken for {self.file}: {self.rows_read} read, "
                f"{self.rows_used} used, {self.rows_rejected} rejected"
            )
