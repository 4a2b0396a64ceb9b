"""Display text of a formatted table, written a column at a time instead of through pandas' HTML renderer.

`ui.render.styled` gives `st.dataframe` a pandas Styler: the cells keep their numbers (a column sorts by value)
and the Styler's display text writes them the reader's way (92,5 %, 1.234 €).  To send that text, Streamlit asks
the Styler for its whole HTML rendering model (`Styler._translate`: a dict of classes, attributes and ids for every
cell, index and header) and keeps only each cell's id and display value.  Building that model cost about 0.2 ms a
cell on every run of a page, most of the server's time for a page with tables.

`column_wise` gives one Styler a `_translate` that builds just what Streamlit reads — the cell ids
(`row{r}_col{c}`) and display values, from the very display functions `Styler.format` set, over the very
values pandas would pass them (a column's values as `itertuples` yields them) — and no table or cell styles,
which these tables have none of.  A Styler with anything this does not write (styles, hidden rows or columns,
a caption, cell classes) keeps pandas' own rendering.  The object stays a `pandas.io.formats.style.Styler`
(Streamlit recognises one by its exact type).  `tests/test_table_text.py` checks that what Streamlit sends is
byte-for-byte what pandas' rendering gives, for every kind of column the app formats.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pandas.io.formats.style import Styler  # imported by `DataFrame.style` when a page first shows a table


def column_wise(styler: Styler) -> Styler:
    """`styler`, rendered for Streamlit a column at a time when it only formats (see the module's docstring)."""
    styler._translate = partial(_translate, styler, styler._translate)  # type: ignore[method-assign]
    return styler


def _plain(styler: Styler) -> bool:
    """True when the Styler only formats text: what `_translate` below writes is all pandas would write."""
    return not (styler._todo or styler.ctx or styler.cell_context or styler.hidden_rows or styler.hidden_columns
                or styler.table_styles or styler.caption or not styler.cell_ids)


def _translate(styler: Styler, pandas_translate, *args: Any, **kwargs: Any) -> dict[str, Any]:
    if not _plain(styler):
        return pandas_translate(*args, **kwargs)
    data = styler.data
    display = styler._display_funcs
    rows = len(data)
    columns = []
    for c in range(data.shape[1]):
        # The values pandas hands its display functions: `DataFrame.itertuples` iterates each column Series.
        texts = [display[(r, c)](value) for r, value in enumerate(data.iloc[:, c])]
        columns.append(texts)
    body = [[{"id": f"row{r}_col{c}", "display_value": columns[c][r]} for c in range(len(columns))] for r in range(rows)]
    return {"body": body, "table_styles": [], "cellstyle": []}
