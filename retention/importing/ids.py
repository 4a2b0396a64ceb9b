"""Id columns (customer, subscription, user ids) held as Arrow strings rather than a Python string per row.

Why: an id is unique (or nearly) per row, so the usual object column holds one Python `str` per row,
about 60–70 bytes each for a 13-character id, while Arrow keeps the same text in one buffer at the
id's length plus a 4-byte offset.  In a 200 MB upload the two id columns were most of the canonical
table (issue 21: an upload's peak memory about 5× its size at most).

The dtype is pandas' Arrow-backed `str` with NumPy semantics (`StringDtype("pyarrow", na_value=nan)`,
the default text type of pandas 3): a comparison gives a plain `bool` array, a missing id is NaN,
each cell reads back as a Python `str`, and `factorize`, `isin`, `map`, sorting and grouping work as
on an object column.  Code that needs an object array asks for one (`to_numpy(dtype=object)`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

ID_DTYPE = pd.StringDtype("pyarrow", na_value=np.nan)
"""The dtype of the canonical id columns: `customer_id` and `subscription_id` of subscriptions, `customer_id` of
customers, and any column the CSV reader finds (nearly) all distinct until a table's mapping turns it into text.
Events keep their ids as Categoricals (many events per user).  Arrow work on ids allocates from the system pool
(malloc), as the CSV reader does, so freed buffers can be handed back (`retention.memory`)."""


def is_ids(values: pd.Series | pd.Index) -> bool:
    """Whether `values` already hold Arrow-backed id text."""
    return values.dtype == ID_DTYPE


def from_arrow(chunks) -> pd.api.extensions.ExtensionArray:
    """Arrow string chunks (an Array, a ChunkedArray or a list of Arrays) as an id array, without copying the text."""
    import pyarrow as pa

    if isinstance(chunks, list):
        chunks = pa.chunked_array(chunks, type=pa.string())
    return ID_DTYPE.__from_arrow__(chunks)


def as_ids(values: pd.Series) -> pd.Series:
    """`values` as an id column: text cells as they are, converted once (a Categorical through its categories)."""
    if is_ids(values):
        return values
    if isinstance(values.dtype, pd.CategoricalDtype):
        categories = values.cat.categories.astype(str)
        codes = values.cat.codes.to_numpy()
        import pyarrow as pa

        dictionary = pa.DictionaryArray.from_arrays(pa.array(codes, mask=codes < 0), pa.array(categories.to_numpy(dtype=object),
                                                                                              type=pa.string()))
        return pd.Series(from_arrow(dictionary.cast(pa.string())), index=values.index, name=values.name, copy=False)
    return values.astype(ID_DTYPE)


def as_text_cells(values: pd.Series) -> pd.Series:
    """An id column as plain object text (one Python `str` per row), for code that edits cells one by one."""
    if is_ids(values):
        return pd.Series(values.to_numpy(dtype=object), index=values.index, name=values.name, copy=False)
    return values


def hashable_codes(values: pd.Series) -> pd.Series:
    """What to hash for duplicate-row detection: an id column's integer codes (equal codes, equal text),
    so hashing never makes a Python string per row."""
    if is_ids(values):
        return pd.Series(pd.factorize(values)[0], index=values.index, name=values.name, copy=False)
    return values


def row_names(rows: pd.Index) -> pd.Series:
    """`"row-" + str(row)` for each row number: the subscription id of a row whose file gives none."""
    if pd.api.types.is_integer_dtype(rows.dtype):
        import pyarrow as pa
        import pyarrow.compute as pc

        pool = pa.system_memory_pool()
        numbers = pc.cast(pa.array(rows.to_numpy(), memory_pool=pool), pa.string(), memory_pool=pool)
        names = pc.binary_join_element_wise("row-", numbers, "", memory_pool=pool)
        return pd.Series(from_arrow(names), index=rows, copy=False)
    return as_ids(pd.Series(rows.astype(str), index=rows).radd("row-"))


def text_except(frame: pd.DataFrame, columns: set[str] | frozenset[str] = frozenset()) -> pd.DataFrame:
    """`frame` with every Arrow id column turned into plain object text except `columns`.

    The reader cannot tell a customer id from any other column whose cells are all different (a
    timestamp, an amount with cents); once the mapping names the id columns, every other column goes
    back to the text cells the typing code reads.  A shallow copy: the other columns are shared.
    """
    convert = [c for c in frame.columns if c not in columns and is_ids(frame[c])]
    if not convert:
        return frame
    out = frame.copy(deep=False)
    for c in convert:
        out[c] = as_text_cells(frame[c])
    return out


def strip_ids(values: pd.Series, characters: str) -> pd.Series:
    """`str.strip()` of every id, in Arrow (`characters`: exactly what Python's `str.strip` removes)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    cells = values.array.__arrow_array__()
    pool = pa.system_memory_pool()
    trimmed = pc.utf8_trim(cells, characters=characters, memory_pool=pool)
    if pc.sum(pc.binary_length(trimmed)).as_py() == pc.sum(pc.binary_length(cells)).as_py():
        return values  # nothing to strip (the CSV reader strips already): keep the one copy of the ids
    return pd.Series(from_arrow(trimmed), index=values.index, name=values.name, copy=False)
