"""`rxleaflet serve`: the HTTP API and the counter page, through Starlette's test client and as a
real server process on a loopback port."""

from __future__ import annotations

import json
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient

from rxleaflet.check.pdfread import read_pdf
from rxleaflet.serve import ServeConfig, create_app

from .conftest import LIBRARY, REPO, TODAY, assert_pdfua, cups_pdf_outputs, wait_for_cups_pdf

PATIENT = {
    "patient": "Zelda Q. Privacyson",
    "rx": "RX-99887766",
    "directions": "Take one zorbletab.",
}


def _client(app, **options) -> TestClient:
    """A test client that reaches the server by a name it answers to (loopback)."""
    return TestClient(app, base_url="http://localhost", **options)


@pytest.fixture
def client() -> TestClient:
    return _client(create_app(ServeConfig(library=str(LIBRARY), as_of=TODAY.isoformat())))


def test_list_with_and_without_a_query(client: TestClient) -> None:
    every = client.get("/v1/leaflets").json()
    assert {leaflet["id"] for leaflet in every} == {p.stem for p in LIBRARY.glob("*.yaml")}
    assert client.get("/v1/leaflets", params={"q": "glucophage"}).json()[0]["id"] == "metformin"
    found = client.get("/v1/leaflets", params={"q": "0093-1048-01"}).json()
    assert [leaflet["language"] for leaflet in found] == [
        "en-US",
        "vi",
        "es-US",
        "pl",
        "fr",
        "ru",
        "ar",
        "ur",
        "hi",
        "bn",
        "zh-Hans",
        "ko",
    ]
    assert [leaflet["language_name"] for leaflet in found[-2:]] == [
        "Chinese, Simplified (简体中文)",
        "Korean (한국어)",
    ]
    assert found[0]["codes"] == {"rxcui": ["6809", "861007"], "ndc": ["00093104801"]}


@pytest.mark.parametrize(
    ("request_body", "leaflet_id"),
    [
        ({"leaflet": "lisinopril"}, "lisinopril"),
        ({"leaflet": "Zestril", "paper": "a4"}, "lisinopril"),
        ({"leaflet": "70518-4397-0", "large_print": True}, "lisinopril"),
        ({"leaflet": "861007", "language": "es"}, "metformina"),
        ({"leaflet": "metformin", "layout": "two-column"}, "metformin"),
    ],
)
def test_render_returns_the_verified_pdf(client: TestClient, request_body, leaflet_id) -> None:
    response = client.post("/v1/render", json=request_body)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["cache-control"] == "no-store"
    facts = read_pdf(response.content)
    assert facts.info["RxLeafletId"] == leaflet_id
    assert_pdfua(response.content)


def test_render_a_leaflet_followed_by_its_translation(client: TestClient) -> None:
    response = client.post(
        "/v1/render", json={"leaflet": "861007", "language": "ko", "also": ["en", "ko"]}
    )
    assert response.status_code == 200, response.text
    facts = read_pdf(response.content)
    assert facts.info["RxLeafletIds"] == "metformin-ko metformin"
    assert_pdfua(response.content)


def test_render_with_a_dispense_record(client: TestClient) -> None:
    response = client.post("/v1/render", json={"leaflet": "lisinopril", "dispense": PATIENT})
    assert response.status_code == 200
    text = " ".join(read_pdf(response.content).pages[0].text.split())
    assert "Prepared for: Zelda Q. Privacyson" in text


def test_directions_by_language_through_the_api(client: TestClient) -> None:
    record = {"patient": "Kim", "rx": "1", "directions": {"en": "Take one.", "ko": "한 정."}}
    response = client.post("/v1/render", json={"leaflet": "861007", "language": "ko",
                                               "dispense": record})  # fmt: skip
    assert response.status_code == 200, response.text
    assert "복용 방법: 한 정." in " ".join(read_pdf(response.content).pages[0].text.split())
    record = {"patient": "Kim", "rx": "1", "directions": {"en": "Take one."}}
    response = client.post("/v1/render", json={"leaflet": "861007", "language": "ko",
                                               "dispense": record})  # fmt: skip
    assert response.status_code == 422
    assert "directions in en but none in ko" in response.text
    record["directions_language"] = "en"
    response = client.post("/v1/render", json={"leaflet": "861007", "language": "ko",
                                               "dispense": record})  # fmt: skip
    assert response.status_code == 200, response.text
    text = " ".join(read_pdf(response.content).pages[0].text.split())
    assert "복용 방법 (English): Take one." in text


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"leaflet": "no-such-drug"}, 404, "no leaflet 'no-such-drug'"),
        ({"leaflet": "baclofen-intrathecal"}, 422, "information expired 2025-12-31"),
        ({"leaflet": "lisinopril", "colour": "red"}, 422, "unknown field(s) colour"),
        ({"leaflet": "lisinopril", "paper": "legal"}, 422, "paper must be one of letter, a4"),
        ({"leaflet": "lisinopril", "dispense": {"rx": "1"}}, 422, "dispense.patient is required"),
        ({"leaflet": "lisinopril", "dispense": {"patient": "A", "rx": "1", "ssn": "x"}}, 422,
         "unknown dispense field(s) ssn"),
        ({"leaflet": "lisinopril", "language": "es"}, 404, "no es leaflet of Lisinopril"),
        ({"leaflet": "metformin", "language": "sw"}, 404, "language 'sw' is not supported"),
        ({"leaflet": "metformin", "also": ["xx"]}, 404, "use one of: ar Arabic (العربية), bn Bengali (বাংলা), en English, es Spanish (Español), fa"),
        ({"leaflet": "metformin", "also": "en"}, 422, "also must be a list of at most 3"),
        ({}, 422, "'leaflet' is required"),
    ],
)  # fmt: skip
def test_refusals_carry_the_clis_messages(client: TestClient, body, status, message) -> None:
    response = client.post("/v1/render", json=body)
    assert response.status_code == status
    errors = response.json()["errors"]
    assert any(message in error for error in errors), errors


def test_malformed_and_oversized_bodies(client: TestClient) -> None:
    response = client.post(
        "/v1/render", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400 and response.json() == {
        "errors": ["the body is not valid JSON"]
    }
    as_json = {"content-type": "application/json"}
    response = client.post("/v1/render", content=b"[1]", headers=as_json)
    assert response.status_code == 400
    big = json.dumps({"leaflet": "lisinopril", "pad": "x" * 70_000})
    assert client.post("/v1/render", content=big, headers=as_json).status_code == 413
    # not JSON: a browser's cross-site "simple" post (text/plain) never reaches the renderer
    plain = client.post("/v1/render", content=b'{"leaflet": "lisinopril"}',
                        headers={"content-type": "text/plain"})  # fmt: skip
    assert plain.status_code == 415


def test_expired_leaflets_are_served_marked_when_allowed() -> None:
    config = ServeConfig(library=str(LIBRARY), as_of=TODAY.isoformat(), allow_expired=True)
    response = _client(create_app(config)).post(
        "/v1/render", json={"leaflet": "baclofen-intrathecal"}
    )
    assert response.status_code == 200
    assert "EXPIRED — not for patient use" in read_pdf(response.content).pages[0].text


def test_a_token_is_required_on_every_request_when_set() -> None:
    token = "s3cret-token-for-the-tests"
    client = _client(create_app(ServeConfig(library=str(LIBRARY), token=token)))
    assert client.get("/v1/leaflets").status_code == 401
    assert client.get("/healthz").status_code == 401
    assert client.get("/v1/leaflets", headers={"Authorization": "Bearer wrong"}).status_code == 401
    ok = client.get("/v1/leaflets", headers={"Authorization": f"Bearer {token}"})
    assert ok.status_code == 200
    page = client.get("/", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/login"
    assert client.post("/login", data={"token": "nope"}).status_code == 401
    signed_in = client.post("/login", data={"token": token}, follow_redirects=False)
    assert signed_in.status_code == 303
    assert client.get("/").status_code == 200  # the cookie now carries it


def test_health_and_openapi(client: TestClient, tmp_path: Path) -> None:
    health = client.get("/healthz").json()
    count = len(list(LIBRARY.glob("*.yaml")))
    assert health["status"] == "ok" and health["leaflets"] == count and health["not_served"] == []
    broken = tmp_path / "library"
    broken.mkdir()
    (broken / "good.yaml").write_text((LIBRARY / "lisinopril.yaml").read_text(), encoding="utf-8")
    (broken / "bad.yaml").write_text("rxleaflet: 1\nid: Bad\n", encoding="utf-8")
    answer = _client(create_app(ServeConfig(library=str(broken)))).get("/healthz").json()
    assert answer["leaflets"] == 1 and "bad.yaml" in answer["not_served"][0]
    spec = client.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.") and "/v1/render" in spec["paths"]
    assert spec["info"]["version"] != "VERSION"


def test_no_traceback_ever_reaches_a_client(client: TestClient, monkeypatch) -> None:
    from rxleaflet.serve import api

    def explode(*_args, **_kwargs):
        raise RuntimeError("boom with a secret")

    monkeypatch.setattr(api, "make_pdf", explode)
    client = _client(client.app, raise_server_exceptions=False)
    response = client.post("/v1/render", json={"leaflet": "lisinopril"})
    assert response.status_code == 500
    assert response.json() == {"errors": ["internal error; nothing was made"]}


def test_patient_data_is_never_logged(client: TestClient, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    client.post("/v1/render", json={"leaflet": "lisinopril", "dispense": PATIENT})
    client.post("/v1/render", json={"leaflet": "lisinopril", "dispense": {**PATIENT, "rx": ""}})
    assert "POST /v1/render 200" in caplog.text and "POST /v1/render 422" in caplog.text
    for value in PATIENT.values():
        assert value not in caplog.text


# -- the counter page -------------------------------------------------------------------------


def _csrf(client: TestClient) -> str:
    page = client.get("/")
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)


def test_the_page_has_a_label_for_every_field_and_no_remote_assets(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    html = page.text
    for field in ("leaflet", "language", "patient", "rx", "prescriber", "filled", "directions"):
        assert f'<label for="{field}">' in html and f'id="{field}"' in html
    assert "http://" not in html and "https://" not in html  # every asset is served here
    assert '<html lang="en">' in html
    assert client.get("/static/counter.css").status_code == 200
    assert client.get("/static/counter.js").status_code == 200


def test_preview_without_javascript_returns_the_pdf(client: TestClient) -> None:
    form = {"csrf": _csrf(client), "leaflet": "Zestril", "paper": "letter", **PATIENT}
    response = client.post("/preview", data=form)
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    assert "Zelda Q. Privacyson" in " ".join(read_pdf(response.content).pages[0].text.split())


def test_a_form_post_without_its_csrf_token_is_refused(client: TestClient) -> None:
    client.get("/")
    response = client.post("/preview", data={"leaflet": "lisinopril", "csrf": "forged"})
    assert response.status_code == 403 and "reload it" in response.text


def test_a_refusal_is_shown_in_the_page(client: TestClient) -> None:
    form = {"csrf": _csrf(client), "leaflet": "baclofen-intrathecal"}
    response = client.post("/preview", data=form)
    assert response.status_code == 422
    assert 'role="alert"' in response.text and "information expired 2025-12-31" in response.text


def test_print_sends_to_the_queue_and_clears_the_form(cups_queue: str) -> None:
    config = ServeConfig(library=str(LIBRARY), as_of=TODAY.isoformat(), print_queue=cups_queue)
    client = _client(create_app(config))
    form = {"csrf": _csrf(client), "leaflet": "lisinopril", **PATIENT}
    before = cups_pdf_outputs()
    response = client.post("/print", data=form)
    assert response.status_code == 200, response.text
    for printed in wait_for_cups_pdf(before):
        printed.unlink()
    assert f"Sent lisinopril to {cups_queue}" in response.text
    assert "Zelda" not in response.text  # the form comes back empty


# -- a real server process ----------------------------------------------------------------------


def _wait_until_healthy(base: str, **options: object) -> None:
    """Up to 20 s for a starting server to answer /healthz with 200."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1, **options).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("workers", [1, 2])
def test_a_real_server_answers_over_http_and_stops_gracefully(tmp_path: Path, workers: int) -> None:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "rxleaflet", "serve", "--port", str(port), "--library",
         str(LIBRARY), "--as-of", TODAY.isoformat(), "--workers", str(workers)],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    answers: list[httpx.Response] = []

    def render_in_flight() -> None:
        body = {"leaflet": "ibuprofen-medication-guide", "large_print": True}
        answers.append(httpx.post(f"{base}/v1/render", json=body, timeout=20))

    in_flight = threading.Thread(target=render_in_flight)
    try:
        _wait_until_healthy(base)
        body = {"leaflet": "lisinopril", "dispense": PATIENT}
        response = httpx.post(f"{base}/v1/render", json=body, timeout=20)
        assert response.status_code == 200 and response.content.startswith(b"%PDF-")
        found = httpx.get(f"{base}/v1/leaflets", params={"q": "zestril"}).json()
        assert found[0]["id"] == "lisinopril"
        in_flight.start()  # a request in flight when SIGTERM arrives still gets its answer
        time.sleep(0.3)  # long enough to be accepted, far shorter than the render
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=20)
    in_flight.join(timeout=20)
    assert answers and answers[0].status_code == 200
    # uvicorn finishes what is in flight, then exits by the signal it caught (as systemd expects)
    assert process.returncode in (0, -signal.SIGTERM), stderr
    assert "POST /v1/render 200" in stderr
    assert "Privacyson" not in stderr


def _serve(*arguments: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rxleaflet", "serve", "--library", str(LIBRARY), *arguments],
        capture_output=True, text=True, cwd=cwd, timeout=30,
    )  # fmt: skip


STRONG_TOKEN = "Qm9vbGVhbi1zdHJvbmctdG9rZW4tZm9yLXRlc3Rz"  # 40 characters of base64


def test_a_non_loopback_address_needs_a_strong_token_and_tls(tmp_path: Path) -> None:
    done = _serve("--host", "0.0.0.0")
    assert done.returncode == 2 and "--token-file" in done.stderr
    weak = tmp_path / "token"
    for token in ("short", "a" * 40, "s3cret-token-for-the-tests"):
        weak.write_text(token)
        done = _serve("--host", "0.0.0.0", "--token-file", str(weak))
        assert done.returncode == 1 and "the token is too easy to guess" in done.stderr, token
        assert token not in done.stderr  # a token never reaches a message
    strong = tmp_path / "strong"
    strong.write_text(STRONG_TOKEN)
    done = _serve("--host", "0.0.0.0", "--token-file", str(strong))
    assert done.returncode == 2 and "--tls-cert and --tls-key" in done.stderr
    assert "--insecure-http" in done.stderr


def test_serve_refuses_a_library_with_nothing_to_serve(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    for library, said in ((empty, "holds no leaflet that can be served (0 refused)"),
                          (tmp_path / "missing", "does not exist")):  # fmt: skip
        done = subprocess.run(
            [sys.executable, "-m", "rxleaflet", "serve", "--library", str(library)],
            capture_output=True, text=True, cwd=tmp_path, timeout=30,
        )  # fmt: skip
        assert done.returncode == 1 and said in done.stderr, done.stderr
        assert len(done.stderr.splitlines()) == 1 and "Traceback" not in done.stderr


def test_with_allow_empty_the_page_and_healthz_agree(tmp_path: Path) -> None:
    client = _client(create_app(ServeConfig(library=str(tmp_path))))
    assert client.get("/healthz").status_code == 503
    page = client.get("/")
    assert page.status_code == 503 and "This server has no leaflets to offer" in page.text


def test_errors_never_show_the_servers_paths(tmp_path: Path) -> None:
    library = tmp_path / "srv" / "library"
    library.mkdir(parents=True)
    for name in ("lisinopril.yaml", "baclofen-intrathecal.yaml"):
        (library / name).write_text((LIBRARY / name).read_text(), encoding="utf-8")
    (library / "bad.yaml").write_text("rxleaflet: 1\nid: Bad\n", encoding="utf-8")
    client = _client(create_app(ServeConfig(library=str(library), as_of=TODAY.isoformat())))
    answers = [
        client.get("/healthz").text,
        client.post("/v1/render", json={"leaflet": "baclofen-intrathecal"}).text,
        client.post("/v1/render", json={"leaflet": "no-such-drug"}).text,
        client.post("/v1/render", json={"leaflet": "lisinopril", "language": "es"}).text,
    ]
    for answer in answers:
        assert str(tmp_path) not in answer and "/srv/" not in answer, answer
    assert "baclofen-intrathecal.yaml:" in answers[1] and "bad.yaml" in answers[0]


def test_the_page_prints_only_to_a_configured_queue(client: TestClient) -> None:
    page = client.get("/")
    assert 'id="print"' not in page.text  # no queue configured: no Print button
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    refused = client.post("/print", data={"csrf": csrf, "leaflet": "lisinopril"})
    assert refused.status_code == 409 and "Printing is not set up on this server" in refused.text


# -- hostile clients (SPEC §20) -------------------------------------------------------------


def test_only_the_servers_own_host_names_are_answered() -> None:
    app = create_app(ServeConfig(library=str(LIBRARY), host_names=("pharmacy.example",)))
    rebound = TestClient(app, base_url="http://evil.example")
    assert rebound.get("/").status_code == 421 and rebound.get("/v1/leaflets").status_code == 421
    assert TestClient(app, base_url="http://pharmacy.example:8765").get("/").status_code == 200
    assert TestClient(app, base_url="http://127.0.0.1:8765").get("/healthz").status_code == 200


def test_cross_site_posts_are_refused(client: TestClient) -> None:
    body = {"leaflet": "lisinopril"}
    evil = client.post("/v1/render", json=body, headers={"Origin": "https://evil.example"})
    assert evil.status_code == 403 and "cross-site" in evil.json()["errors"][0]
    page = client.get("/")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    form = {"csrf": csrf, "leaflet": "lisinopril"}
    assert (
        client.post("/preview", data=form, headers={"Origin": "http://evil.example"}).status_code
        == 403
    )
    assert (
        client.post("/preview", data=form, headers={"Origin": "http://localhost"}).status_code
        == 200
    )


def test_bodies_are_bounded_whatever_their_encoding_before_authentication() -> None:
    app = create_app(ServeConfig(library=str(LIBRARY), token=STRONG_TOKEN))
    client = _client(app)

    def chunks(size: int):
        for _ in range(size // 8192):
            yield b"x" * 8192

    login = client.post("/login", content=chunks(2_000_000),
                        headers={"content-type": "application/x-www-form-urlencoded"})  # fmt: skip
    assert login.status_code == 413
    render = client.post("/v1/render", content=chunks(10_000_000),
                         headers={"content-type": "application/json"})  # fmt: skip
    assert render.status_code == 413  # refused before the token was even looked at
    files = client.post("/preview", files={"leaflet": ("a.txt", b"x" * 100)})
    assert files.status_code == 415


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"[" * 30_000 + b"]" * 30_000, "nested more than 8 levels deep"),
        (b'{"leaflet": "lisinopril", "dispense": ' + b"[" * 20 + b"]" * 20 + b"}",
         "nested more than 8 levels deep"),
        (b'{"\\ud800": 1}', "unpaired surrogate (U+D800)"),
        (b'{"leaflet": "lisi\\udfffnopril"}', "unpaired surrogate (U+DFFF)"),
    ],
)  # fmt: skip
def test_no_input_makes_a_5xx(client: TestClient, body: bytes, message: str) -> None:
    response = client.post("/v1/render", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400 and message in response.json()["errors"][0]
    assert response.headers["x-content-type-options"] == "nosniff"


def test_every_answer_carries_the_security_headers(client: TestClient, monkeypatch) -> None:
    from rxleaflet.serve import api

    monkeypatch.setattr(api, "_make_pdf", lambda *_: 1 / 0)
    crashing = _client(client.app, raise_server_exceptions=False)
    for response in (
        client.get("/"),
        client.get("/nope"),
        client.post("/v1/render", content=b"x", headers={"content-type": "text/plain"}),
        crashing.post("/v1/render", json={"leaflet": "lisinopril"}),
    ):
        assert response.headers["cache-control"] == "no-store", response.status_code
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


def test_sign_in_makes_a_session_and_wrong_tokens_are_slowed() -> None:
    client = _client(create_app(ServeConfig(library=str(LIBRARY), token=STRONG_TOKEN)))
    assert (
        client.get("/v1/leaflets", headers={"Authorization": f"bearer {STRONG_TOKEN}"}).status_code
        == 200
    )
    signed_in = client.post("/login", data={"token": STRONG_TOKEN}, follow_redirects=False)
    assert signed_in.status_code == 303
    cookies = " ".join(signed_in.headers.get_list("set-cookie"))
    assert STRONG_TOKEN not in cookies and "HttpOnly" in cookies and "SameSite=strict" in cookies
    assert client.get("/").status_code == 200  # the signed session lets the page in
    # a session from elsewhere, or a made-up one, is not signed in
    stranger = _client(client.app)
    stranger.cookies.set("rxl_session", client.cookies["rxl_session"] + "x")
    stranger.cookies.set("rxl_signed_in", client.cookies["rxl_signed_in"])
    assert stranger.get("/v1/leaflets").status_code == 401
    guesser = _client(client.app)
    answers = [guesser.get("/v1/leaflets", headers={"Authorization": f"Bearer guess{n}"}).status_code
               for n in range(12)]  # fmt: skip
    assert answers[:10] == [401] * 10 and answers[10:] == [429, 429]
    locked = guesser.get("/v1/leaflets", headers={"Authorization": f"Bearer {STRONG_TOKEN}"})
    assert locked.status_code == 429 and int(locked.headers["retry-after"]) > 0  # not even judged
    assert guesser.get("/v1/leaflets").status_code == 401  # no token at all: no guess to slow


def test_a_csrf_value_from_another_session_is_refused(client: TestClient) -> None:
    other = _client(client.app)
    page = other.get("/")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    client.get("/")  # this browser's own session
    refused = client.post("/preview", data={"csrf": csrf, "leaflet": "lisinopril"})
    assert refused.status_code == 403


def test_the_listing_and_the_render_read_the_same_library(tmp_path: Path) -> None:
    library = tmp_path / "library"
    library.mkdir()
    source = library / "lisinopril.yaml"
    source.write_text((LIBRARY / "lisinopril.yaml").read_text(), encoding="utf-8")
    client = _client(create_app(ServeConfig(library=str(library), as_of=TODAY.isoformat())))
    source.write_text("rxleaflet: 1\nid: broken\n", encoding="utf-8")  # edited on disk
    assert client.get("/v1/leaflets").json()[0]["id"] == "lisinopril"
    assert client.post("/v1/render", json={"leaflet": "lisinopril"}).status_code == 200
    # a change on disk is taken up whole, within a second, for listing and rendering alike
    source.write_text((LIBRARY / "metformin.yaml").read_text(), encoding="utf-8")
    time.sleep(1.1)
    assert [m["id"] for m in client.get("/v1/leaflets").json()] == ["metformin"]
    assert client.post("/v1/render", json={"leaflet": "lisinopril"}).status_code == 404


def _certificate(folder: Path) -> tuple[Path, Path]:
    """A throwaway self-signed certificate for localhost and 127.0.0.1."""
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([
            x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    cert, private = folder / "cert.pem", folder / "key.pem"
    cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    private.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                        serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))  # fmt: skip
    return cert, private


def test_tls_secure_cookies_and_a_bounded_shutdown(tmp_path: Path) -> None:
    import ssl

    from rxleaflet.serve.workers import GRACE_SECONDS

    cert, key = _certificate(tmp_path)
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "rxleaflet", "serve", "--port", str(port), "--library",
         str(LIBRARY), "--as-of", TODAY.isoformat(), "--tls-cert", str(cert), "--tls-key", str(key)],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    base = f"https://localhost:{port}"
    context = ssl.create_default_context(cafile=str(cert))
    half_sent = None
    try:
        _wait_until_healthy(base, verify=context)
        page = httpx.get(f"{base}/", verify=context)
        assert page.status_code == 200 and "Secure" in page.headers["set-cookie"]
        with pytest.raises(httpx.HTTPError):  # plain HTTP is not served on the TLS port
            httpx.get(f"http://localhost:{port}/healthz", timeout=2)
        # a client that sends half a request and waits
        raw = socket.create_connection(("127.0.0.1", port))
        half_sent = context.wrap_socket(raw, server_hostname="localhost")
        half_sent.sendall(b"POST /v1/render HTTP/1.1\r\nHost: localhost\r\nContent-Type: "
                          b"application/json\r\nContent-Length: 1000\r\n\r\n{\"leaf")  # fmt: skip
        time.sleep(0.3)
    finally:
        stopping = time.monotonic()
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=GRACE_SECONDS + 20)
    took = time.monotonic() - stopping
    if half_sent is not None:
        half_sent.close()
    assert took <= GRACE_SECONDS + 3, f"the server took {took:.1f} s to stop"
    assert "Traceback" not in stderr


def test_sighup_reloads_every_worker_and_a_dripped_request_head_is_cut_off(tmp_path: Path) -> None:
    """A library edit that keeps the file's size and time is invisible to the change watch;
    SIGHUP makes each worker read the library again. A client that sends its request head a
    byte at a time is disconnected after the head deadline, not held for ever."""
    from rxleaflet.serve.protocol import HEAD_SECONDS

    library = tmp_path / "library"
    library.mkdir()
    source = library / "lisinopril.yaml"
    source.write_text((LIBRARY / "lisinopril.yaml").read_text(), encoding="utf-8")
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "rxleaflet", "serve", "--port", str(port), "--library",
         str(library), "--as-of", TODAY.isoformat(), "--workers", "2"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"

    def drugs() -> set[str]:
        return {httpx.get(f"{base}/v1/leaflets").json()[0]["drug"] for _ in range(8)}

    try:
        _wait_until_healthy(base)
        assert drugs() == {"Lisinopril"}
        before = source.stat()
        source.write_text(source.read_text().replace("Lisinopril", "Lisinoprix"), "utf-8")
        os.utime(source, ns=(before.st_atime_ns, before.st_mtime_ns))  # the watch sees nothing
        time.sleep(1.2)
        assert drugs() == {"Lisinopril"}
        process.send_signal(signal.SIGHUP)
        time.sleep(0.5)
        assert drugs() == {"Lisinoprix"}

        dripping = socket.create_connection(("127.0.0.1", port))
        dripping.settimeout(1)
        opened = time.monotonic()
        closed_after = None
        for byte in b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: " + b"a" * 100:
            try:
                dripping.sendall(bytes([byte]))
                if dripping.recv(1024) == b"":
                    closed_after = time.monotonic() - opened
                    break
            except TimeoutError:
                continue
            except OSError:
                closed_after = time.monotonic() - opened
                break
        dripping.close()
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    assert closed_after is not None and closed_after <= HEAD_SECONDS + 3, closed_after
    assert "Traceback" not in stderr
