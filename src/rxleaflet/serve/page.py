"""The counter page (SPEC §13): find a leaflet, fill in the patient, preview or print.

Server-rendered HTML (Jinja2) that works without JavaScript: the search suggestions are a
datalist, Preview and Print are plain form posts. A little script narrows the language list to
the medicine chosen. Patient fields travel only in POST bodies, are never stored or logged,
and the form comes back empty after printing. Form posts carry a CSRF token (a cookie and a
hidden field that must match).
"""

from __future__ import annotations

import hmac
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from ..errors import LeafletError
from ..printing import print_pdf
from ..source.locales import language_names, locale_for
from .api import Refusal, make_pdf, summary
from .sessions import SESSION_COOKIE, SIGNED_IN_COOKIE

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).with_name("templates")))
DISPENSE = ("patient", "rx", "filled", "prescriber", "directions", "directions_language")
NO_LEAFLETS = (
    "This server has no leaflets to offer: its library is empty or every leaflet in it was "
    "refused. Ask whoever runs it to check the library (see /healthz)."
)
NO_QUEUE = (
    "Printing is not set up on this server. Use Preview and print from the browser, or ask "
    "whoever runs it to start it with --print-queue."
)


def routes() -> list[Route]:
    return [
        Route("/", counter, methods=["GET"]),
        Route("/preview", preview, methods=["POST"]),
        Route("/print", send_to_printer, methods=["POST"]),
        Route("/login", login, methods=["GET", "POST"]),
    ]


def _page(request: Request, status: int = 200, **context: Any) -> Response:
    state = request.app.state.rx
    session = request.cookies.get(SESSION_COOKIE) or state.sessions.new_id()
    leaflets = [summary(m) for m in state.catalog.search(None)]
    languages = [(tag, locale_for(tag).name) for tag in sorted({m["language"] for m in leaflets})]
    values = context.pop("values", {})
    if not leaflets and status == 200:  # as /healthz says: nothing can be served
        status = 503
        context.setdefault("errors", [NO_LEAFLETS])
    response = TEMPLATES.TemplateResponse(
        request,
        "counter.html",
        {
            "leaflets": leaflets,
            "languages": languages,
            "all_languages": language_names(),
            "csrf": state.sessions.csrf(session),
            "values": values,
            "today": state.today().isoformat(),
            "queue": state.config.print_queue,  # no Print button without a configured queue
            **context,
        },
        status_code=status,
    )
    _set_cookie(response, state, SESSION_COOKIE, session)
    return response


def _set_cookie(response: Response, state: Any, name: str, value: str) -> None:
    secure = state.config.tls  # over HTTPS the cookies never travel in clear
    response.set_cookie(name, value, httponly=True, samesite="strict", secure=secure)


async def counter(request: Request) -> Response:
    return _page(request)


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    values = {key: str(value) for key, value in form.items() if isinstance(value, str)}
    session = request.cookies.get(SESSION_COOKIE, "")
    given = values.pop("csrf", "")
    if not request.app.state.rx.sessions.csrf_valid(session, given):
        raise Refusal(403, "the form has expired or did not come from this page; reload it")
    return values


def _request(values: dict[str, str]) -> dict[str, Any]:
    """The API's render request from the form's fields."""
    fields: dict[str, Any] = {
        "leaflet": values.get("leaflet", ""),
        "paper": values.get("paper") or "letter",
        "large_print": values.get("large_print") == "on",
    }
    if values.get("language"):
        fields["language"] = values["language"]
    if values.get("also"):
        fields["also"] = [values["also"]]
    record = {key: values[key] for key in DISPENSE if values.get(key, "").strip()}
    if set(record) - {"filled"}:  # the date alone (it defaults to today) makes no record
        fields["dispense"] = record
    return fields


async def preview(request: Request) -> Response:
    try:
        values = await _form(request)
        pdf, name = await run_in_threadpool(make_pdf, request.app.state.rx, _request(values))
    except Refusal as refusal:
        kept = locals().get("values", {})
        return _page(request, refusal.status, errors=refusal.messages, values=kept)
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{name}.pdf"'})  # fmt: skip


async def send_to_printer(request: Request) -> Response:
    state = request.app.state.rx
    queue = state.config.print_queue
    try:
        values = await _form(request)
        if not queue:
            raise Refusal(409, NO_QUEUE)
        pdf, name = await run_in_threadpool(make_pdf, state, _request(values))
        answer = await run_in_threadpool(
            print_pdf, pdf, queue=state.config.print_queue, paper=_request(values)["paper"],
            job_name=name,
        )  # fmt: skip
    except Refusal as refusal:
        kept = locals().get("values", {})
        return _page(request, refusal.status, errors=refusal.messages, values=kept)
    except LeafletError as error:  # CUPS said no: a sentence the counter can act on
        kept = locals().get("values", {})
        said = error.message.removeprefix(f"printing to queue '{queue}' failed: ")
        message = (
            f"The printer '{queue}' did not take the leaflet. Check that it is switched on, "
            "has paper and is not paused, then press Print again, or use Preview and print "
            f"from the browser. (The print system said: {said})"
        )
        return _page(request, 502, errors=[message], values=kept)
    done = f"Sent {name} to {queue}" + (f" ({answer})" if answer else "") + "."
    return _page(request, printed=done)  # the form comes back empty


async def login(request: Request) -> Response:
    """For a browser when the server needs a token: the token, once, signs the session in (the
    cookie proves it; it never holds the token). Wrong tokens are slowed like the API's."""
    state = request.app.state.rx
    token = state.config.token
    if request.method == "GET" or token is None:
        return TEMPLATES.TemplateResponse(request, "login.html", {"failed": False})
    client = request.client.host if request.client else "unknown"
    wait = state.throttle.wait_seconds(client)
    if wait:
        return TEMPLATES.TemplateResponse(
            request, "login.html", {"failed": True}, status_code=429,
            headers={"Retry-After": str(wait)},
        )  # fmt: skip
    form = await request.form()
    given = str(form.get("token", ""))
    if not hmac.compare_digest(given.encode(), token.encode()):
        state.throttle.failed(client)
        return TEMPLATES.TemplateResponse(request, "login.html", {"failed": True}, status_code=401)
    response = RedirectResponse("/", status_code=303)
    session = state.sessions.new_id()  # a new session on signing in
    _set_cookie(response, state, SESSION_COOKIE, session)
    _set_cookie(response, state, SIGNED_IN_COOKIE, state.sessions.signed_in(session))
    return response


__all__ = ["routes"]
