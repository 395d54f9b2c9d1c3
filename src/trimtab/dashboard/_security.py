"""The dashboard's guard: access token, allowed hosts, cross-site checks, security headers.

An ASGI middleware in front of every route (pages, static files and API):

* **Token.** With a token set, a request must carry it as ``Authorization: Bearer <token>``
  or in the HttpOnly, SameSite=Strict cookie that ``/?token=<token>`` sets (then the URL is
  cleaned by a redirect). Anything else gets 401.
* **Hosts.** When the server binds a loopback address only ``localhost``-style Host headers
  are served, which stops DNS-rebinding pages from reading the API.
* **Cross-site writes.** POST/PUT/DELETE need the ``X-Trimtab-Dashboard`` header (a header
  a cross-site form cannot send and a cross-site script may not send without a CORS
  preflight, which is never granted), and an ``Origin``, when present, equal to the Host.
* **Headers.** A strict Content-Security-Policy (no inline scripts, no remote sources),
  ``nosniff``, no framing, no referrer, no caching of API answers.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

COOKIE = "trimtab_dashboard_token"
WRITE_HEADER = "x-trimtab-dashboard"
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "[::1]", "::1")
# Plotly's WebGL traces (parcoords, scattergl) compile shaders with `new Function`.
CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; connect-src 'self'; font-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
]


def _host_name(host: str) -> str:
    if host.startswith("["):
        return host[: host.find("]") + 1]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _headers(frame_ancestors: Sequence[str] | None) -> list[tuple[bytes, bytes]]:
    """The security headers; ``frame_ancestors`` lets those origins embed the pages."""
    if not frame_ancestors:
        return _HEADERS
    csp = CSP.replace("frame-ancestors 'none'", "frame-ancestors " + " ".join(frame_ancestors))
    return [(b"content-security-policy", csp.encode())] + [
        h for h in _HEADERS if h[0] not in (b"content-security-policy", b"x-frame-options")
    ]


class SecurityMiddleware:
    """Token check, Host allow-list, cross-site write refusal and security headers."""

    def __init__(
        self,
        app: ASGIApp,
        token: str | None,
        allowed_hosts: Sequence[str] | None,
        frame_ancestors: Sequence[str] | None = None,
    ) -> None:
        self.app = app
        self.token = token
        self.allowed_hosts = {h.lower() for h in allowed_hosts} if allowed_hosts else None
        self.headers = _headers(frame_ancestors)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        problem = self._problem(scope, headers)
        if problem is not None:
            await _respond(send, *problem, self.headers)
            return
        if self.token is not None and scope["method"] == "GET":
            query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
            if self._matches(query.get("token", [""])[0]):
                await _redirect_with_cookie(send, scope["path"], self.token, self.headers)
                return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + self.headers
                if scope["path"].startswith("/api/"):
                    message["headers"].append((b"cache-control", b"no-store"))
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _matches(self, candidate: str) -> bool:
        return self.token is not None and hmac.compare_digest(
            candidate.encode("utf-8"), self.token.encode("utf-8")
        )

    def _problem(self, scope: Scope, headers: dict[str, str]) -> tuple[int, str] | None:
        host = headers.get("host", "")
        if self.allowed_hosts is not None and _host_name(host.lower()) not in self.allowed_hosts:
            return 400, f"Host {host!r} is not served; open the dashboard via localhost."
        if self.token is not None and not self._authorised(scope, headers):
            return 401, "An access token is needed: open the dashboard URL with ?token=..."
        if scope["method"] in ("POST", "PUT", "DELETE", "PATCH"):
            if headers.get(WRITE_HEADER) != "1":
                return 403, "Writes need the X-Trimtab-Dashboard: 1 header."
            origin = headers.get("origin")
            if origin is not None and urlsplit(origin).netloc.lower() != host.lower():
                return 403, "Cross-site writes are refused."
            if headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
                return 403, "Cross-site writes are refused."
        return None

    def _authorised(self, scope: Scope, headers: dict[str, str]) -> bool:
        auth = headers.get("authorization", "")
        if auth.lower().startswith("bearer ") and self._matches(auth[7:].strip()):
            return True
        for part in headers.get("cookie", "").split(";"):
            name, _, value = part.strip().partition("=")
            if name == COOKIE and self._matches(value):
                return True
        if scope["method"] == "GET":
            query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
            return self._matches(query.get("token", [""])[0])
        return False


async def _respond(
    send: Send, status: int, message: str, security: list[tuple[bytes, bytes]]
) -> None:
    body = json.dumps({"error": message}).encode("utf-8")
    headers = [(b"content-type", b"application/json"), *security]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def local_location(path: str) -> str:
    """A same-site ``Location`` for ``path``: one leading slash, then the path's segments
    percent-encoded, so that no ``//``, ``\\``, scheme or control character can make a
    browser leave the site."""
    segments = [s for s in path.replace("\\", "/").split("/") if s not in ("", ".", "..")]
    return "/" + "/".join(quote(s, safe="-._~!$&'()*+,;=:@") for s in segments)


async def _redirect_with_cookie(
    send: Send, path: str, token: str, security: list[tuple[bytes, bytes]]
) -> None:
    cookie = f"{COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/"
    location = local_location(path)
    headers = [(b"location", location.encode("ascii")), (b"set-cookie", cookie.encode("utf-8"))]
    await send({"type": "http.response.start", "status": 303, "headers": headers + security})
    await send({"type": "http.response.body", "body": b""})
