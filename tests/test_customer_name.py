"""The Customer page's name of one customer is the name column's cell of its row, stripped ("" when empty),
read off that row alone (issue 20: not every customer's name for one page)."""

from __future__ import annotations

from retention import InputFile, load_dataset
from retention.engine.customers import customer_names, history

SUBSCRIPTIONS = b"customer_id,start_date,mrr\nc1,2024-01-01,10\nc2,2024-01-01,20\nc3,2024-01-01,30\nc4,2024-02-01,5\n"
CUSTOMERS = b"customer_id,company,plan\nc1,  Acme GmbH ,pro\nc2,,basic\nc3,Zeta,pro\n"


def test_each_customers_name_is_its_rows_cell_stripped() -> None:
    data = load_dataset(InputFile(SUBSCRIPTIONS, "subscriptions.csv"), InputFile(CUSTOMERS, "customers.csv"))
    engine = data.engine()
    model, subscriptions, customers = engine.model(), engine.subscriptions, engine.customers
    found = {c: history(model, subscriptions, customers, c).name for c in ("c1", "c2", "c3", "c4")}
    assert found == {"c1": "Acme GmbH", "c2": "", "c3": "Zeta", "c4": ""}
    names = customer_names(customers)
    assert all(found[c] == str(names.get(c, "")) for c in found)
