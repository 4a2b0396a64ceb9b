"""`./dev bench --load --clients protocol` speaks Streamlit's browser protocol to a real server.

The load bench's protocol client (`scripts/load_protocol.py`) must do what a founder's browser does, or
its timings would be of something else: open the app, go to the Data page, upload a subscriptions and a
customers file through the real upload endpoint (XSRF token included), press "Load files", and see the
dashboard computed on that upload.  Checked on a hand-made file whose numbers are worked out here.
"""

from __future__ import annotations

import asyncio
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from browser_bench import Server  # noqa: E402
from load_bench import LOADED  # noqa: E402
from load_protocol import ProtocolSession  # noqa: E402

# Three customers, all prices monthly.  The data's last date is C's end, 2024-03-10, so the dashboard is as of that
# day and its last complete month is February 2024, when A (100), B (50) and C (200) all pay: MRR 350.
SUBSCRIPTIONS = """customer_id,plan,start_date,end_date,amount,currency,interval
A,Pro,2024-01-01,,100,USD,month
B,Basic,2024-02-01,,50,USD,month
C,Scale,2024-01-15,2024-03-10,200,USD,month
"""
CUSTOMERS = """customer_id,name,country
A,Alpha,NL
B,Beta,DE
C,Gamma,FR
"""


def test_protocol_client_uploads_loads_and_reads_the_dashboard(tmp_path: Path) -> None:
    subscriptions, customers = tmp_path / "subscriptions.csv", tmp_path / "customers.csv"
    subscriptions.write_text(SUBSCRIPTIONS)
    customers.write_text(CUSTOMERS)
    server = Server(None)

    async def founder() -> dict[str, dict[str, str]]:
        client = ProtocolSession(server.url)
        await client.connect()
        try:
            seen: dict[str, dict[str, str]] = {}
            await client.run()
            seen["open"] = client.metrics
            await client.run(page="Data")
            first = await client.upload("upload_subscriptions", subscriptions)
            await client.run(page="Data", states=[first])
            second = await client.upload("upload_customers", customers)
            await client.run(page="Data", states=[first, second])
            await client.run(page="Data", states=[first, second, client.press("load_files")])
            assert any(LOADED in text for text in client.texts), client.texts
            seen["data"] = client.metrics
            await client.run(page="Overview")
            seen["overview"] = client.metrics
            assert not client.exceptions, client.exceptions
            return seen
        finally:
            await client.close()

    try:
        # In its own thread: a browser test's Playwright (sync API) may keep an event loop running in this one.
        with ThreadPoolExecutor(max_workers=1) as pool:
            seen = pool.submit(asyncio.run, founder()).result(timeout=600)
    finally:
        server.stop()
    assert seen["open"]["MRR"] != "$350"  # the built-in sample before the upload
    assert seen["data"]["Customers with paid subscriptions"] == "3"
    assert seen["data"]["First subscription"] == "Jan 1, 2024"
    assert seen["data"]["Data as of"] == "Mar 10, 2024"
    assert seen["overview"]["MRR"] == "$350"
