"""The JSON API (SPEC §8): list, render, health, and its OpenAPI description."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import yaml
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .. import __version__
from ..contract import RenderOptions
from ..errors import LeafletError, LibraryError
from ..packagedata import PAPERS
from ..pipeline import build, build_translated, prepare, sign
from ..source.dispense import DispenseRecord, dispense_record
from ..source.locales import locale_for
from ..source.monograph import Monograph

RENDER_FIELDS = ("leaflet", "language", "also", "paper", "large_print", "layout", "dispense")
MAX_ALSO = 3  # languages after the first in one PDF
DISPENSE_FIELDS = ("patient", "rx", "filled", "prescriber", "directions", "directions_language")


class Refusal(Exception):
    """A request that cannot be served: its HTTP status and the messages to return."""

    def __init__(self, status: int, *messages: str):
        super().__init__(messages[0] if messages else "")
        self.status = status
        self.messages = list(messages)


def routes() -> list[Route]:
    return [
        Route("/v1/leaflets", list_leaflets, methods=["GET"]),
        Route("/v1/render", render, methods=["POST"]),
        Route("/healthz", health, methods=["GET"]),
        Route("/openapi.json", openapi, methods=["GET"]),
    ]


def summary(leaflet: Monograph) -> dict[str, Any]:
    return {
        "id": leaflet.id,
        "drug": leaflet.drug.name,
        "brands": list(leaflet.drug.brands),
        "language": leaflet.language,
        "language_name": locale_for(leaflet.language).name,
        "profile": leaflet.profile,
        "expires": leaflet.attribution.expires.isoformat(),
        "codes": {"rxcui": list(leaflet.codes.rxcui), "ndc": list(leaflet.codes.ndc)},
    }


async def list_leaflets(request: Request) -> Response:
    catalog = request.app.state.rx.catalog
    query = request.query_params.get("q")
    return JSONResponse([summary(m) for m in catalog.search(query or None)])


async def health(request: Request) -> Response:
    state = request.app.state.rx
    body = {
        "status": "ok" if state.catalog.leaflets else "no leaflets",
        "rxleaflet": __version__,
        "leaflets": len(state.catalog.leaflets),
        "not_served": [public_message(error, state) for error in state.catalog.errors],
    }
    return JSONResponse(body, status_code=200 if state.catalog.leaflets else 503)


async def render(request: Request) -> Response:
    try:
        fields = await json_body(request)
        pdf, name = await run_in_threadpool(make_pdf, request.app.state.rx, fields)
    except Refusal as refusal:
        return JSONResponse({"errors": refusal.messages}, status_code=refusal.status)
    accepted = request.headers.get("accept", "")
    generic = "application/octet-stream" in accepted and "application/pdf" not in accepted
    return Response(
        pdf,
        media_type="application/octet-stream" if generic else "application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}.pdf"'},
    )


MAX_JSON_DEPTH = 8  # a render request is three levels deep


async def json_body(request: Request) -> dict[str, Any]:
    """The request's JSON object (its size was bounded by the shield)."""
    body = await request.body()
    try:
        fields = json.loads(body)
    except RecursionError:
        raise Refusal(400, f"the JSON is nested more than {MAX_JSON_DEPTH} levels deep") from None
    except (ValueError, UnicodeDecodeError):
        raise Refusal(400, "the body is not valid JSON") from None
    problem = _json_problem(fields, MAX_JSON_DEPTH)
    if problem:
        raise Refusal(400, problem)
    if not isinstance(fields, dict):
        raise Refusal(400, 'the body must be a JSON object, e.g. {"leaflet": "lisinopril"}')
    return fields


def _json_problem(value: Any, depth: int) -> str | None:
    """Too deep, or a string (key or value) that is not valid Unicode."""
    if depth < 0:
        return f"the JSON is nested more than {MAX_JSON_DEPTH} levels deep"
    items: list[Any] = []
    if isinstance(value, dict):
        items = [*value.keys(), *value.values()]
    elif isinstance(value, list):
        items = value
    elif isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as error:
            code = ord(value[error.start])
            return f"a string holds an unpaired surrogate (U+{code:04X}); send valid Unicode"
        return None
    for item in items:
        problem = _json_problem(item, depth - (0 if isinstance(item, str) else 1))
        if problem:
            return problem
    return None


def make_pdf(state: Any, fields: dict[str, Any]) -> tuple[bytes, str]:
    """The verified PDF for a render request (the CLI's own functions); Refusal otherwise."""
    try:
        return _make_pdf(state, fields)
    finally:
        state.collector.after_render()


def _make_pdf(state: Any, fields: dict[str, Any]) -> tuple[bytes, str]:
    unknown = sorted(set(fields) - set(RENDER_FIELDS))
    if unknown:
        raise Refusal(
            422, f"unknown field(s) {', '.join(unknown)}; allowed: {', '.join(RENDER_FIELDS)}"
        )
    leaflet_name = fields.get("leaflet")
    if not isinstance(leaflet_name, str) or not leaflet_name.strip():
        raise Refusal(422, "'leaflet' is required: an id, drug or brand name, NDC or RxCUI")
    language = _optional_text(fields, "language")
    paper = (_optional_text(fields, "paper") or "letter").lower()
    if paper not in PAPERS:
        raise Refusal(422, f"paper must be one of {', '.join(PAPERS)}")
    large_print = fields.get("large_print", False)
    if not isinstance(large_print, bool):
        raise Refusal(422, "large_print must be true or false")
    layout = (_optional_text(fields, "layout") or "single").lower()
    if layout not in ("single", "two-column") or (layout == "two-column" and large_print):
        raise Refusal(
            422, "layout must be 'single' or 'two-column' (two-column is not for large print)"
        )
    also = fields.get("also", [])
    if (
        not isinstance(also, list)
        or len(also) > MAX_ALSO
        or not all(isinstance(t, str) for t in also)
    ):
        raise Refusal(422, f'also must be a list of at most {MAX_ALSO} languages, e.g. ["en"]')
    try:
        monograph = state.catalog.find(leaflet_name.strip(), language)
        translations = [state.catalog.in_language(monograph, tag.strip()) for tag in also]
    except LibraryError as error:
        raise Refusal(404, public_message(error, state)) from None
    others = {m.path: m for m in translations if m.path != monograph.path}.values()
    options = RenderOptions(
        paper=paper,
        large_print=large_print,
        layout=layout,
        allow_expired=state.config.allow_expired,
        as_of=state.today(),
        brand=state.brand,
        dispense=dispense(fields.get("dispense"), state.today()),
    )
    try:
        # the sources as the library read them: what /v1/leaflets lists is what is rendered,
        # whatever has changed on disk since
        leaflet = prepare(monograph.path, options, monograph.source_bytes)
        if others:
            followers = [prepare(other.path, options, other.source_bytes) for other in others]
            rendered = build_translated(leaflet, followers, paper, options.as_of)
        else:
            rendered = build(leaflet, paper, options.as_of)
        if state.signing is not None:
            rendered = sign(rendered, state.signing)
        return rendered.pdf, monograph.id
    except LeafletError as error:
        raise Refusal(422, *_messages(error, state)) from None


def dispense(raw: Any, today: Any) -> DispenseRecord | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise Refusal(422, "dispense must be an object with patient, rx, and optional fields")
    unknown = sorted(set(raw) - set(DISPENSE_FIELDS))
    if unknown:
        allowed = ", ".join(DISPENSE_FIELDS)
        raise Refusal(422, f"unknown dispense field(s) {', '.join(unknown)}; allowed: {allowed}")
    names = {key: f"dispense.{key}" for key in DISPENSE_FIELDS}
    try:
        return dispense_record(raw, today, where="request", names=names)
    except LeafletError as error:
        raise Refusal(422, str(error)) from None


def _optional_text(fields: dict[str, Any], key: str) -> str | None:
    value = fields.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise Refusal(422, f"{key} must be text")
    return value.strip() or None


def _messages(error: LeafletError, state: Any) -> list[str]:
    reasons = getattr(error, "reasons", None)
    first = public_message(error, state)
    return [first, *(_hide_library(str(r), state) for r in reasons)] if reasons else [first]


def public_message(error: LeafletError, state: Any) -> str:
    """An error as a client may see it: leaflet file names and line numbers, never the
    server's paths (the library folder is "the library")."""
    return _hide_library(error.public(), state)


def _hide_library(text: str, state: Any) -> str:
    folder = Path(state.catalog.folder)
    for shown in sorted({str(folder.resolve()), str(folder)}, key=len, reverse=True):
        text = text.replace(shown, "the library")
    return text


async def openapi(request: Request) -> Response:
    return JSONResponse(_openapi_document(request.app.state.rx.config.token is not None))


@functools.cache
def _openapi_document(token_required: bool) -> dict[str, Any]:
    """The description of this server: with a token, every operation but this one requires
    the bearer scheme; without one, none does."""
    text = Path(__file__).with_name("openapi.yaml").read_text(encoding="utf-8")
    document: dict[str, Any] = yaml.safe_load(text.replace("VERSION", __version__))
    if token_required:
        document["security"] = [{"bearer": []}]
    else:
        for item in document["paths"].values():
            for operation in item.values():
                operation["responses"].pop("401", None)
                operation["responses"].pop("429", None)
    return document
