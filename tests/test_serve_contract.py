"""The OpenAPI description is the contract: Schemathesis sends what it describes (and what it
forbids) to a live server, with every check, and finds nothing (SPEC §20)."""

from __future__ import annotations

import contextlib

import pytest

from . import browser
from .conftest import LIBRARY, TODAY

schemathesis = pytest.importorskip("schemathesis", reason="the test extra installs Schemathesis")
from hypothesis import HealthCheck, settings  # noqa: E402

TOKEN = "Qm9vbGVhbi1zdHJvbmctdG9rZW4tZm9yLXRlc3Rz"


@pytest.fixture(scope="module")
def live(tmp_path_factory) -> str:
    token_file = tmp_path_factory.mktemp("token") / "token"
    token_file.write_text(TOKEN)
    with contextlib.ExitStack() as stack:
        base = stack.enter_context(
            browser.server(LIBRARY, "--as-of", TODAY.isoformat(), "--token-file", str(token_file),
                           "--auth-attempts", "1000000")  # Schemathesis tries wrong tokens
        )
        yield base


@pytest.mark.parametrize("mode", ["positive", "negative"])
def test_the_server_behaves_as_its_description_says(live: str, mode: str) -> None:
    """Every operation, with data its description allows (positive) and forbids (negative),
    every check. Driven through Schemathesis's own API with Hypothesis rather than its pytest
    plugin, which breaks on newer pytest releases."""
    from hypothesis import given

    schema = schemathesis.openapi.from_url(f"{live}/openapi.json")
    generation = schemathesis.GenerationMode(mode)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {f"{o.method.upper()} {o.path}" for o in operations} >= {
        "GET /v1/leaflets", "POST /v1/render", "GET /healthz"}  # fmt: skip
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=generation))
        @settings(max_examples=50, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))  # fmt: skip
        def behaves(case) -> None:
            case.call_and_validate(headers=_credentials(case))

        behaves()


def _credentials(case) -> dict[str, str]:
    """The valid token, unless Schemathesis made the headers themselves the invalid part (a
    missing or forged Authorization): replacing those would turn a negative case positive."""
    components = case.meta.components if case.meta is not None else {}
    forged = any(
        getattr(location, "value", location) == "header"
        and info.mode is schemathesis.GenerationMode.NEGATIVE
        for location, info in components.items()
    )  # fmt: skip
    return {} if forged else {"Authorization": f"Bearer {TOKEN}"}


def test_a_client_generated_from_the_description_renders_a_pdf(live: str, tmp_path, monkeypatch):
    """openapi-python-client, as an integrator would use it: generated from /openapi.json, no
    hand edits, no content-type overrides."""
    import json
    import shutil
    import subprocess
    import sys

    import httpx

    generator = shutil.which("openapi-python-client")
    if generator is None:
        pytest.skip("openapi-python-client is not installed (the test extra installs it)")
    spec = tmp_path / "openapi.json"
    spec.write_text(json.dumps(httpx.get(f"{live}/openapi.json").json()), encoding="utf-8")
    made = subprocess.run(
        [generator, "generate", "--path", str(spec), "--meta", "none", "--output-path",
         str(tmp_path / "rxleaflet_api")],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert made.returncode == 0 and "Unsupported" not in made.stdout + made.stderr, made.stdout
    monkeypatch.syspath_prepend(str(tmp_path))
    from rxleaflet_api import AuthenticatedClient
    from rxleaflet_api.api.default import get_v1_leaflets, post_v1_render
    from rxleaflet_api.models import Dispense, RenderRequest
    from rxleaflet_api.types import File

    client = AuthenticatedClient(base_url=live, token=TOKEN, raise_on_unexpected_status=True)
    listed = get_v1_leaflets.sync(client=client, q="glucophage")
    assert listed[0].id == "metformin"
    record = Dispense(patient="Jane Q. Doe", rx="RX-1")
    request = RenderRequest(leaflet="lisinopril", dispense=record)
    pdf = post_v1_render.sync(client=client, body=request)
    assert isinstance(pdf, File) and pdf.payload.read().startswith(b"%PDF-")
    for name in [m for m in sys.modules if m.startswith("rxleaflet_api")]:
        del sys.modules[name]
