"""Real local servers for delivery tests: an SMTP server with STARTTLS and login (aiosmtpd, with a
certificate from a throwaway CA made by trustme) and an HTTP server that plays a chat webhook and can
answer errors first.  Both listen on 127.0.0.1 on a free port and stop at the end of the test."""

from __future__ import annotations

import http.server
import json
import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USER, PASSWORD = "digest@example.com", "s3cret-Passw0rd"


@dataclass
class Mailbox:
    messages: list[EmailMessage] = field(default_factory=list)
    recipients: list[list[str]] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(message_from_bytes(envelope.original_content or envelope.content, policy=policy.default))
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _authenticate(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == USER.encode() and auth_data.password == PASSWORD.encode()
    return AuthResult(success=ok)


@contextmanager
def smtp_server(folder: Path) -> Iterator[tuple[Mailbox, dict[str, str]]]:
    """A STARTTLS + AUTH SMTP server; yields its mailbox and the environment a client needs."""
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    ca_file = folder / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port(), tls_context=context, require_starttls=True,
                            authenticator=_authenticate, auth_require_tls=True)
    controller.start()
    try:
        env = {"RETENTION_SMTP_HOST": "127.0.0.1", "RETENTION_SMTP_PORT": str(controller.port),
               "RETENTION_SMTP_USER": USER, "RETENTION_SMTP_PASSWORD": PASSWORD, "RETENTION_SMTP_FROM": USER,
               "RETENTION_SMTP_STARTTLS": "true", "RETENTION_SMTP_CA_FILE": str(ca_file)}
        yield box, env
    finally:
        controller.stop()


@dataclass
class Hook:
    """What the webhook server received, and how many errors it still answers before accepting."""

    failures: int = 0
    status: int = 500
    bodies: list[dict] = field(default_factory=list)
    requests: int = 0


@contextmanager
def webhook_server(hook: Hook) -> Iterator[str]:
    """An HTTP server on 127.0.0.1 that answers `hook.status` for the first `hook.failures` POSTs, then 200."""
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's hook name
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            hook.requests += 1
            if hook.failures > 0:
                hook.failures -= 1
                self.send_response(hook.status)
                self.end_headers()
                return
            hook.bodies.append(json.loads(body))
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):  # quiet
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/services/T000/B000/secret-token"
    finally:
        server.shutdown()
        server.server_close()
