"""The counter page in a real browser: search, choose, fill, preview, print, cleared; by keyboard
alone; a refusal in plain words; and an automated accessibility check (axe-core)."""

from __future__ import annotations

import contextlib
import time

import pytest

from rxleaflet.check.pdfread import read_pdf

from . import browser as chrome
from .conftest import LIBRARY, TODAY, cups_pdf_outputs, wait_for_cups_pdf

pytestmark = pytest.mark.skipif(
    chrome.unavailable_reason() is not None, reason=str(chrome.unavailable_reason())
)
PATIENT = {
    "patient": "Zelda Q. Privacyson",
    "rx": "RX-99887766",
    "prescriber": "Dr. Quentin Secretius",
}


@contextlib.contextmanager
def _preview(page, seconds: float = 15):
    """The PDF the Preview post brings (in a new tab, through Chromium's PDF viewer): taken
    from the server's answer on its way to the browser, since the viewer's own copy of the
    response can be gone by the time a listener asks for it."""
    received: list[bytes] = []

    def keep(route) -> None:
        response = route.fetch()
        if response.headers.get("content-type") == "application/pdf":
            received.append(response.body())
        route.fulfill(response=response)

    page.context.route("**/preview", keep)
    try:
        yield received
        deadline = time.monotonic() + seconds
        while not received and time.monotonic() < deadline:
            page.wait_for_timeout(50)
        assert received, f"no PDF arrived within {seconds:g} s"
    finally:
        page.context.unroute("**/preview", keep)


# The page's accessibility needs only Chromium: its server names a queue (so the Print button
# shows) that is never printed to. Printing itself is tested on a real CUPS queue.
NAMED_QUEUE = "counter-front"


@pytest.fixture(scope="module")
def site():
    with chrome.server(LIBRARY, "--as-of", TODAY.isoformat(), "--print-queue", NAMED_QUEUE) as base:
        yield base


@pytest.fixture(scope="module")
def printing_site(cups_queue: str):
    with chrome.server(LIBRARY, "--as-of", TODAY.isoformat(), "--print-queue", cups_queue) as base:
        yield base


@contextlib.contextmanager
def _tab(base: str):
    with chrome.browser() as launched:
        context = launched.new_context(viewport={"width": 1000, "height": 900})
        tab = context.new_page()
        tab.goto(base + "/")
        yield tab
        context.close()


@pytest.fixture
def page(site: str):
    with _tab(site) as tab:
        yield tab


@pytest.fixture
def printing_page(printing_site: str):
    with _tab(printing_site) as tab:
        yield tab


def test_the_print_button_names_its_queue(page) -> None:
    assert page.inner_text("#print") == f"Print to {NAMED_QUEUE}"


def test_without_a_queue_there_is_no_print_button() -> None:
    with chrome.server(LIBRARY, "--as-of", TODAY.isoformat()) as base, _tab(base) as tab:
        assert tab.is_visible("#preview") and tab.query_selector("#print") is None


def test_search_fill_preview_print_and_the_form_is_cleared(printing_page, cups_queue: str) -> None:
    page = printing_page
    page.fill("#leaflet", "zestr")
    page.wait_for_function("document.querySelectorAll('#leaflet-names option').length >= 1")
    suggestions = page.eval_on_selector_all("#leaflet-names option", "o => o.map(x => x.value)")
    assert "Zestril" in suggestions
    page.fill("#leaflet", "Zestril")
    for field, value in PATIENT.items():
        page.fill(f"#{field}", value)
    page.fill("#directions", "Take 1 tablet by mouth once daily.")
    with page.expect_popup() as popup, _preview(page) as answer:
        page.click("#preview")
    text = " ".join(read_pdf(answer[0]).pages[0].text.split())
    assert "Prepared for: Zelda Q. Privacyson" in text and "Lisinopril" in text
    popup.value.close()
    before = cups_pdf_outputs()
    page.click("#print")
    page.wait_for_selector("#done")
    assert f"Sent lisinopril to {cups_queue}" in page.inner_text("#done")
    for field in PATIENT:
        assert page.input_value(f"#{field}") == ""
    for printed in wait_for_cups_pdf(before):
        printed.unlink()


def test_the_whole_flow_by_keyboard_alone(page) -> None:
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "leaflet"
    page.keyboard.type("metformin")
    page.keyboard.press("Tab")  # language
    page.keyboard.press("Tab")  # followed by (another language)
    page.keyboard.press("Tab")  # paper (radio group)
    page.keyboard.press("ArrowDown")  # A4
    page.keyboard.press("Tab")  # large print
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "patient"
    page.keyboard.type("Jane Doe")
    page.keyboard.press("Tab")
    page.keyboard.type("RX-1")
    order: list[str] = []
    for _ in range(8):  # a date field takes a Tab for each of its parts
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.id")
        if not order or order[-1] != focused:
            order.append(focused)
        if focused == "preview":
            break
    assert order == ["prescriber", "filled", "directions", "directions_language", "preview"]
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"  # the focus is visible
    with page.expect_popup(), _preview(page) as answer:
        page.keyboard.press("Enter")
    facts = read_pdf(answer[0])
    assert facts.info["RxLeafletPaper"] == "a4" and facts.page_count >= 3  # A4, large print
    assert "Prepared for: Jane Doe" in " ".join(facts.pages[0].text.split())


def test_a_leaflet_in_chinese_followed_by_english(page) -> None:
    page.fill("#leaflet", "metformin")
    page.select_option("#language", "zh-Hans")
    page.select_option("#also", "en-US")
    assert "简体中文" in page.inner_text("#language")
    with page.expect_popup(), _preview(page) as answer:
        page.click("#preview")
    facts = read_pdf(answer[0])
    assert facts.info["RxLeafletIds"] == "metformin-zh-hans metformin"


def test_an_expired_leaflet_shows_the_refusal_in_plain_words(page) -> None:
    page.fill("#leaflet", "baclofen-intrathecal")
    with page.expect_popup() as popup:
        page.click("#preview")
    refusal = popup.value
    refusal.wait_for_selector("[role=alert]")
    message = refusal.inner_text("[role=alert]")
    assert "The leaflet was not made" in message and "information expired 2025-12-31" in message


def test_no_accessibility_violations(page) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": [
        "wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}})  # fmt: skip
    assert results.violations_count == 0, results.generate_report()
    page.fill("#leaflet", "baclofen-intrathecal")
    with page.expect_popup() as popup:
        page.click("#preview")
    refusal = popup.value
    refusal.wait_for_selector("[role=alert]")
    results = Axe().run(refusal)
    assert results.violations_count == 0, results.generate_report()


def test_usable_at_200_percent_zoom(site: str) -> None:
    with chrome.browser() as launched:
        context = launched.new_context(
            viewport={"width": 640, "height": 900}, device_scale_factor=2
        )
        tab = context.new_page()
        tab.goto(site + "/")
        tab.evaluate("document.body.style.zoom = '200%'")
        overflow = tab.evaluate("document.documentElement.scrollWidth > window.innerWidth * 2.05")
        assert not overflow
        assert tab.is_visible("#print")
        context.close()
