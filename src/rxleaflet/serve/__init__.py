"""``rxleaflet serve``: the HTTP API for pharmacy systems and the counter page for staff.

Built on Starlette (ASGI) and served by uvicorn. It is stateless: the library is loaded once,
each request renders and verifies a leaflet exactly as the CLI does, and nothing a request
carries — patient data above all — is logged, cached or written to disk.
"""

from __future__ import annotations

from .app import ServeConfig, create_app

__all__ = ["ServeConfig", "create_app"]
