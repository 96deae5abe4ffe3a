"""The ASGI application: configuration, authentication, limits, logging without bodies."""

from __future__ import annotations

import datetime as dt
import hmac
import json
import logging
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from ..source.brand import HOUSE_STYLE, Brand, load_brand
from ..source.library import Catalog
from . import api, page
from .collector import Collector
from .page import TOKEN_COOKIE

LOG = logging.getLogger("rxleaflet.serve")
MAX_BODY_BYTES = 64_000  # a render request with a dispense record is well under 2 KB
CONFIG_VARIABLE = "RXLEAFLET_SERVE_CONFIG"  # how uvicorn's worker processes get the settings


@dataclass(frozen=True)
class ServeConfig:
    library: str
    brand_file: str | None = None
    allow_expired: bool = False
    token: str | None = None  # required as "Authorization: Bearer …" when set
    print_queue: str | None = None  # the CUPS queue the counter page prints to (None: no printing)
    as_of: str | None = None  # judge expiry on this day (tests); None: today

    def to_environment(self) -> None:
        os.environ[CONFIG_VARIABLE] = json.dumps(asdict(self))


@dataclass
class State:
    """What every request reads: the configuration, the library and the brand, loaded once."""

    config: ServeConfig
    catalog: Catalog
    brand: Brand
    started: float = field(default_factory=time.time)
    collector: Collector = field(default_factory=lambda: Collector())

    def today(self) -> dt.date:
        return dt.date.fromisoformat(self.config.as_of) if self.config.as_of else dt.date.today()


def create_app(config: ServeConfig) -> Starlette:
    """The application for ``config``: the library is read now; a bad brand file stops it."""
    brand = load_brand(Path(config.brand_file)) if config.brand_file else HOUSE_STYLE
    state = State(config, Catalog.of(Path(config.library)), brand)
    static = Path(__file__).with_name("static")
    app = Starlette(
        routes=[
            *api.routes(),
            *page.routes(),
            Mount("/static", app=StaticFiles(directory=static), name="static"),
        ],
        middleware=[Middleware(Guard, state=state)],
        exception_handlers={Exception: _internal_error},
    )
    app.state.rx = state
    for error in state.catalog.errors:
        LOG.warning("leaflet not served: %s", error)
    return app


def from_environment() -> Starlette:
    """The application for uvicorn's worker processes (settings from the environment)."""
    return create_app(ServeConfig(**json.loads(os.environ[CONFIG_VARIABLE])))


async def _internal_error(_request: Request, error: Exception) -> Response:
    LOG.error("internal error: %s", type(error).__name__)  # never the request's content
    return JSONResponse({"errors": ["internal error; nothing was made"]}, status_code=500)


class Guard(BaseHTTPMiddleware):
    """Every request: the bearer token when one is set, a bounded body, no caching, and one
    log line (method, path, status, milliseconds) — never a body or a query."""

    def __init__(self, app: Any, state: State):
        super().__init__(app)
        self.state = state

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        started = time.perf_counter()
        response = await self._answer(request, call_next)
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        LOG.info(
            "%s %s %d %.0fms",
            request.method,
            request.url.path,
            response.status_code,
            (time.perf_counter() - started) * 1000,
        )
        return response

    async def _answer(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        token = self.state.config.token
        path = request.url.path
        if token is not None and path != "/login" and not path.startswith("/static/"):
            given = request.headers.get("authorization", "")
            cookie = request.cookies.get(TOKEN_COOKIE, "")
            if not (
                hmac.compare_digest(given.encode(), f"Bearer {token}".encode())
                or hmac.compare_digest(cookie.encode(), token.encode())
            ):
                if path == "/" and request.method == "GET":
                    return RedirectResponse("/login", status_code=303)
                return JSONResponse(
                    {"errors": ["a bearer token is required: Authorization: Bearer <token>"]},
                    status_code=401,
                    headers={"WWW-Authenticate": "Bearer"},
                )
        length = request.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
            return JSONResponse(
                {"errors": [f"the request body is over {MAX_BODY_BYTES:,} bytes"]},
                status_code=413,
            )
        return await call_next(request)
