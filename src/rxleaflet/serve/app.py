"""The ASGI application: configuration, authentication, limits, logging without bodies."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import signal
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from ..source.brand import HOUSE_STYLE, Brand, load_brand
from ..source.library import Catalog, source_files
from . import api, page
from .collector import Collector
from .sessions import Sessions
from .shield import ERROR_HEADERS, Shield
from .tokens import FAILURES_ALLOWED, Throttle

LOG = logging.getLogger("rxleaflet.serve")
CONFIG_VARIABLE = "RXLEAFLET_SERVE_CONFIG"  # how uvicorn's worker processes get the settings


@dataclass(frozen=True)
class ServeConfig:
    library: str
    brand_file: str | None = None
    allow_expired: bool = False
    token: str | None = None  # required as "Authorization: Bearer …" when set
    print_queue: str | None = None  # the CUPS queue the counter page prints to (None: no printing)
    as_of: str | None = None  # judge expiry on this day (tests); None: today
    host_names: tuple[str, ...] = ()  # served besides the loopback names (DNS rebinding)
    tls: bool = False  # served over HTTPS: cookies are Secure
    auth_attempts: int = FAILURES_ALLOWED  # wrong tokens a client may send a minute

    def to_environment(self) -> None:
        os.environ[CONFIG_VARIABLE] = json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> ServeConfig:
        values = json.loads(text)
        values["host_names"] = tuple(values.get("host_names", ()))
        return cls(**values)


@dataclass
class State:
    """What every request reads: the configuration, the library and the brand, loaded once."""

    config: ServeConfig
    catalog: Catalog
    brand: Brand
    started: float = field(default_factory=time.time)
    collector: Collector = field(default_factory=lambda: Collector())
    sessions: Sessions = field(default_factory=lambda: Sessions())  # keyed before workers fork
    throttle: Throttle = field(init=False)  # as allowed by the configuration
    signing: Any = None  # the loaded signing key (serve --sign): every PDF served is signed

    def __post_init__(self) -> None:
        self.throttle = Throttle(allowed=self.config.auth_attempts)

    library_seen: tuple[tuple[str, int, int], ...] = ()
    library_checked: float = 0.0
    reload_asked: bool = False  # by SIGHUP

    def library_due(self) -> bool:
        return self.reload_asked or time.monotonic() - self.library_checked >= LIBRARY_CHECK_SECONDS

    def ask_reload(self, *_signal: object) -> None:
        """SIGHUP: read the library again before the next request, changed or not."""
        self.reload_asked = True

    def refresh_library(self) -> None:
        """Reload the library when a source was added, removed or changed (looked at no more
        than once a second), or when asked; the new catalog replaces the old one whole."""
        asked, self.reload_asked = self.reload_asked, False
        if not asked and not self.library_due():
            return
        self.library_checked = time.monotonic()
        seen = library_signature(Path(self.config.library))
        if asked or seen != self.library_seen:
            catalog = Catalog.of(Path(self.config.library))
            self.catalog, self.library_seen = catalog, seen
            LOG.info("library reloaded: %d leaflet(s)", len(catalog.leaflets))

    def today(self) -> dt.date:
        return dt.date.fromisoformat(self.config.as_of) if self.config.as_of else dt.date.today()


LIBRARY_CHECK_SECONDS = 1.0


def library_signature(folder: Path) -> tuple[tuple[str, int, int], ...]:
    """Name, size and modification time of every source: what changes when a file does."""
    signature = []
    for path in source_files(folder) if folder.is_dir() else []:
        with contextlib.suppress(OSError):
            stat = path.stat()
            signature.append((str(path), stat.st_size, stat.st_mtime_ns))
    return tuple(signature)


def create_app(config: ServeConfig, signing: Any = None) -> Starlette:
    """The application for ``config``: the library is read now; a bad brand file stops it.
    With ``signing`` (a loaded signing.SigningKey) every PDF served is signed."""
    brand = load_brand(Path(config.brand_file)) if config.brand_file else HOUSE_STYLE
    seen = library_signature(Path(config.library))
    state = State(config, Catalog.of(Path(config.library)), brand, signing=signing)
    state.library_seen, state.library_checked = seen, time.monotonic()
    static = Path(__file__).with_name("static")
    app = Starlette(
        routes=[
            *api.routes(),
            *page.routes(),
            Mount("/static", app=StaticFiles(directory=static), name="static"),
        ],
        middleware=[Middleware(Shield, state=state)],
        exception_handlers={Exception: _internal_error},
        lifespan=_reload_on_hangup(state),
    )
    app.state.rx = state
    for error in state.catalog.errors:
        LOG.warning("leaflet not served: %s", error)
    return app


def _reload_on_hangup(state: State):
    """The lifespan of each server process: SIGHUP asks it to reload its library."""

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette):
        with contextlib.suppress(ValueError, AttributeError):  # not the main thread; Windows
            signal.signal(signal.SIGHUP, state.ask_reload)
        yield

    return lifespan


def from_environment() -> Starlette:
    """The application for uvicorn's worker processes (settings from the environment)."""
    return create_app(ServeConfig.from_json(os.environ[CONFIG_VARIABLE]))


async def _internal_error(_request: Request, error: Exception) -> Response:
    LOG.error("internal error: %s", type(error).__name__)  # never the request's content
    return JSONResponse(
        {"errors": ["internal error; nothing was made"]}, status_code=500, headers=ERROR_HEADERS
    )
