"""Founders as Streamlit's own browser protocol, without a browser: the server's side of `./dev bench --load`.

`./dev bench --load` drives real Chromium sessions; on one 2-core machine those browsers need more CPU
than the server (a period change costs the browser about a second of drawing, the server under 0.1 s),
so ten of them measure mostly the machine's queue for a core.  `--clients protocol` replaces each browser
by this client: it speaks the websocket protocol the browser speaks (`/_stcore/stream`, `BackMsg` and
`ForwardMsg` protobufs from the installed Streamlit), uploads files through the same `PUT` endpoint with
the XSRF token, presses the same buttons by their widget ids, and times each step from the request to
the server's `script_finished`: what a user waits for from the server, before their browser draws.
Nothing is mocked: the server, the script runs, the uploads and the session state are the real ones.
"""

from __future__ import annotations

import asyncio
import http.cookiejar
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

RERUN = 2  # ForwardMsg.FINISHED_EARLY_FOR_RERUN: the script asked for another run (st.rerun)


@dataclass
class ProtocolSession:
    """One founder's connection: the session id, the pages the app offers and the widgets last seen."""

    url: str
    ws: object = None
    session_id: str = ""
    pages: dict[str, str] = field(default_factory=dict)  # page name → page_script_hash
    widgets: dict[str, str] = field(default_factory=dict)  # user key (the id's tail) → widget id
    texts: list[str] = field(default_factory=list)
    metrics: dict[str, str] = field(default_factory=dict)  # st.metric label → value shown, from the last run
    xsrf: str = ""
    exceptions: list[str] = field(default_factory=list)

    async def connect(self) -> None:
        import websockets

        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        await asyncio.to_thread(lambda: opener.open(f"{self.url}/_stcore/health", timeout=30).read())
        self.xsrf = next((c.value for c in jar if c.name == "_streamlit_xsrf"), "")
        self.ws = await websockets.connect(
            self.url.replace("http", "ws", 1) + "/_stcore/stream", subprotocols=["streamlit"], max_size=None,
            additional_headers={"Cookie": f"_streamlit_xsrf={self.xsrf}", "Origin": self.url}, open_timeout=60)

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()

    async def run(self, page: str | None = None, states: list | None = None, timeout: float = 300) -> float:
        """Ask for a script run (optionally on another page, with widget states) and wait for the server to
        finish it and any run it asks for after it; the seconds waited."""
        from streamlit.proto.BackMsg_pb2 import BackMsg

        msg = BackMsg()
        rerun = msg.rerun_script
        rerun.query_string = ""
        rerun.context_info.locale = "en-US"
        rerun.context_info.timezone = "UTC"
        if page is not None:
            rerun.page_script_hash = self.pages[page]
        for state in states or ():
            rerun.widget_states.widgets.append(state)
        start = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        await asyncio.wait_for(self._until_finished(), timeout)
        return time.perf_counter() - start

    async def _until_finished(self) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        self.texts = []
        self.metrics = {}
        while True:
            message = ForwardMsg()
            message.ParseFromString(await self.ws.recv())
            kind = message.WhichOneof("type")
            if kind == "new_session":
                self.session_id = message.new_session.initialize.session_id
            elif kind == "navigation":
                self.pages.update({p.page_name: p.page_script_hash for p in message.navigation.app_pages})
            elif kind == "delta" and message.delta.WhichOneof("type") == "new_element":
                self._element(message.delta.new_element)
            elif kind == "script_finished" and message.script_finished != RERUN:
                return

    def _element(self, element) -> None:
        kind = element.WhichOneof("type")
        if kind == "exception":
            self.exceptions.append(element.exception.message[:200])
        elif kind in ("alert", "markdown"):
            self.texts.append(getattr(element, kind).body)
        elif kind == "metric":
            self.metrics[element.metric.label] = element.metric.body
        inner = getattr(element, kind, None) if kind else None
        widget_id = getattr(inner, "id", "") if inner is not None else ""
        if widget_id:
            self.widgets[widget_id.rsplit("-", 1)[-1]] = widget_id

    async def upload(self, key: str, path: Path):
        """Upload `path` to the file uploader with user key `key`; the widget state that names it."""
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.Common_pb2 import UploadedFileInfo
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        request = BackMsg()
        request.file_urls_request.request_id = uuid.uuid4().hex
        request.file_urls_request.file_names.append(path.name)
        request.file_urls_request.session_id = self.session_id
        await self.ws.send(request.SerializeToString())
        while True:
            message = ForwardMsg()
            message.ParseFromString(await asyncio.wait_for(self.ws.recv(), 60))
            if message.WhichOneof("type") == "file_urls_response":
                urls = message.file_urls_response.file_urls[0]
                break
        body, boundary = _multipart(path)
        put = urllib.request.Request(
            self.url + urls.upload_url if urls.upload_url.startswith("/") else urls.upload_url,
            data=body, method="PUT",
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}", "X-Xsrftoken": self.xsrf,
                     "Cookie": f"_streamlit_xsrf={self.xsrf}", "Origin": self.url})
        await asyncio.to_thread(lambda: urllib.request.urlopen(put, timeout=120).read())
        state = WidgetState(id=self.widgets[key])
        info = UploadedFileInfo(name=path.name, size=path.stat().st_size, file_id=urls.file_id)
        info.file_urls.CopyFrom(urls)
        state.file_uploader_state_value.uploaded_file_info.append(info)
        return state

    def press(self, key: str):
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        return WidgetState(id=self.widgets[key], trigger_value=True)


def _multipart(path: Path) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{path.name}\"\r\n"
            "Content-Type: text/csv\r\n\r\n").encode()
    return head + path.read_bytes() + f"\r\n--{boundary}--\r\n".encode(), boundary
