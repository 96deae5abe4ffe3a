"""What every request goes through before the routes see it (outermost, as plain ASGI).

In order: the Host header must name this server (DNS rebinding); the body is read here, bounded
whatever its transfer encoding and within a time limit, before anything else looks at it
(multipart is refused); the bearer token or a signed-in session, with failed attempts slowed
per client; cross-site posts are refused by their Origin; ``/v1/render`` takes JSON only.
Every answer, errors included, carries the same security headers, and each request is one log
line (method, path, status, milliseconds), never a body or a query. A client that goes away
mid-body is one short line.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import time
from typing import Any
from urllib.parse import parse_qsl

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import cookie_parser
from starlette.responses import JSONResponse, RedirectResponse, Response

from .sessions import SESSION_COOKIE, SIGNED_IN_COOKIE

LOG = logging.getLogger("rxleaflet.serve")
MAX_BODY_BYTES = 64_000  # a render request with a dispense record is well under 2 KB
MAX_LOGIN_BYTES = 1_024  # "token=" and a token
BODY_SECONDS = 10.0  # to send a whole body, however it is sent
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
# the API's query parameters, by path (the description lists them; anything else is refused)
QUERY_KEYS: dict[str, set[str]] = {
    "/v1/leaflets": {"q"}, "/v1/render": set(), "/healthz": set(), "/openapi.json": set(),
}
OPEN_PATHS = ("/login", "/static/", "/openapi.json")  # reachable without the token
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    # same-origin, not no-referrer: with no-referrer a browser sends "Origin: null" on a form
    # post, and the Origin check could not tell the page from a sandboxed cross-site frame
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
# for HTML and JSON answers (a PDF opens in the browser's own viewer, which a policy would block)
CONTENT_POLICY = (
    "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; "
    "object-src 'none'"
)


# what an answer made outside the shield (Starlette's handler of a crash) carries
ERROR_HEADERS = {**SECURITY_HEADERS, "Content-Security-Policy": CONTENT_POLICY}


class ClientGone(Exception):
    """The client disconnected before its request was complete."""


def host_name(header: str) -> str:
    """``example.org:8765`` → ``example.org``; ``[::1]:8765`` → ``::1``."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1 : header.find("]")] if "]" in header else header
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


class Shield:
    def __init__(self, app: Any, state: Any):
        self.app = app
        self.state = state
        config = state.config
        self.hosts = LOOPBACK_NAMES | {name.lower() for name in config.host_names}

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 0
        is_pdf = False

        async def secured(message: dict[str, Any]) -> None:
            nonlocal status, is_pdf
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers[name] = value
                is_pdf = headers.get("content-type", "").startswith("application/pdf")
                if not is_pdf:
                    headers["Content-Security-Policy"] = CONTENT_POLICY
            await send(message)

        try:
            if self.state.library_due():
                await run_in_threadpool(self.state.refresh_library)
            refusal, body = await self._screen(scope, receive)
            if refusal is not None:
                await refusal(scope, receive, secured)
            else:
                await self.app(scope, _replay(body, receive), secured)
        except ClientGone:
            LOG.info("%s %s: the client went away before its request was complete",
                     scope["method"], scope["path"])  # fmt: skip
            return
        LOG.info("%s %s %d %.0fms", scope["method"], scope["path"], status,
                 (time.perf_counter() - started) * 1000)  # fmt: skip

    async def _screen(self, scope: dict[str, Any], receive: Any) -> tuple[Response | None, bytes]:
        headers = Headers(scope=scope)
        path, method = scope["path"], scope["method"]
        if host_name(headers.get("host", "")) not in self.hosts:
            return _error(421, "this server does not answer to that host name; use the address "
                          "it was started with (see --host-name)"), b""  # fmt: skip
        allowed = QUERY_KEYS.get(path)
        if allowed is not None:
            unknown = sorted({key for key, _ in parse_qsl(scope.get("query_string", b"").decode(
                "latin-1"), keep_blank_values=True)} - allowed)  # fmt: skip
            if unknown:
                return _error(400, f"unknown query parameter(s) {', '.join(unknown)[:200]}; "
                              f"allowed: {', '.join(sorted(allowed)) or 'none'}"), b""  # fmt: skip
        kind = headers.get("content-type", "").split(";")[0].strip().lower()
        if kind.startswith("multipart/"):
            return _error(415, "multipart bodies are not accepted"), b""
        if method == "POST" and path == "/v1/render" and kind != "application/json":
            return _error(415, "send the request as JSON (Content-Type: application/json)"), b""
        limit = MAX_LOGIN_BYTES if path == "/login" else MAX_BODY_BYTES
        body = await _read_body(receive, limit)
        if body is None:
            return _error(413, f"the request body is over {limit:,} bytes"), b""
        refusal = self._authenticate(scope, headers, method, path)
        if refusal is not None:
            return refusal, b""
        if method == "POST" and not self._same_origin(headers):
            return _error(403, "cross-site requests are refused (Origin)"), b""
        return None, body

    def _authenticate(
        self, scope: dict[str, Any], headers: Headers, method: str, path: str
    ) -> Response | None:
        token = self.state.config.token
        if token is None or path.startswith(OPEN_PATHS):
            return None
        client = (scope.get("client") or ("unknown", 0))[0]
        authorization = headers.get("authorization")
        if authorization:  # a token to judge: unless this client has guessed too often
            wait = self.state.throttle.wait_seconds(client)
            if wait:
                return _error(429, f"too many wrong tokens; try again in {wait} s",
                              headers={"Retry-After": str(wait)})  # fmt: skip
            scheme, _, given = authorization.partition(" ")
            given = given.strip()
            if scheme.lower() == "bearer" and hmac.compare_digest(given.encode(), token.encode()):
                return None
            self.state.throttle.failed(client)
        else:  # a browser signed in at /login: its session cookie, signed by this server
            cookies = cookie_parser(headers.get("cookie", ""))
            session = cookies.get(SESSION_COOKIE, "")
            if self.state.sessions.is_signed_in(session, cookies.get(SIGNED_IN_COOKIE, "")):
                return None
            if path == "/" and method == "GET":
                return RedirectResponse("/login", status_code=303)
        return _error(401, "a bearer token is required: Authorization: Bearer <token>",
                      headers={"WWW-Authenticate": "Bearer"})  # fmt: skip

    def _same_origin(self, headers: Headers) -> bool:
        origin = headers.get("origin")
        if origin is None:  # not a browser's cross-site post (those always send Origin)
            return True
        scheme, _, rest = origin.partition("://")
        expected = "https" if self.state.config.tls else "http"
        return scheme == expected and host_name(rest) in self.hosts and (
            rest.lower() == headers.get("host", "").lower()
        )


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse({"errors": [message]}, status_code=status, headers=headers)


async def _read_body(receive: Any, limit: int) -> bytes | None:
    """The whole body, or None when it is over ``limit``; ClientGone when the client leaves,
    or takes longer than BODY_SECONDS to send it."""
    parts: list[bytes] = []
    size = 0
    try:
        async with asyncio.timeout(BODY_SECONDS):
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    raise ClientGone
                chunk = message.get("body", b"")
                size += len(chunk)
                if size > limit:
                    return None
                parts.append(chunk)
                if not message.get("more_body", False):
                    return b"".join(parts)
    except TimeoutError:
        raise ClientGone from None


def _replay(body: bytes, receive: Any) -> Any:
    sent = False

    async def replayed() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed


__all__ = ["ERROR_HEADERS", "MAX_BODY_BYTES", "SECURITY_HEADERS", "Shield"]
