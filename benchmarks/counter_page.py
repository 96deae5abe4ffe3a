"""The counter page in headless Chromium: time from pressing Preview to the PDF in the browser,
and a screenshot of each step (for docs/).

Run from the repository root: ``python3 benchmarks/counter_page.py [--shots docs] [--runs 20]``.
Needs Playwright and a Chromium (as the browser tests do).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests import browser as chrome  # noqa: E402 - the tests' own probe and launcher


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shots", type=Path, default=None, help="folder for the screenshots")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    reason = chrome.unavailable_reason()
    if reason:
        raise SystemExit(reason)
    with chrome.server(REPO / "leaflets", "--as-of", "2026-11-27") as base, chrome.browser() as b:
        context = b.new_context(viewport={"width": 900, "height": 1000})
        page = context.new_page()
        page.goto(base + "/")

        def shot(name: str) -> None:
            if args.shots:
                page.screenshot(path=str(args.shots / f"counter-{name}.png"), full_page=True)

        shot("1-empty")
        page.fill("#leaflet", "zestr")
        page.wait_for_function("document.querySelectorAll('#leaflet-names option').length >= 1")
        page.fill("#leaflet", "Zestril")
        page.fill("#patient", "Jane Q. Doe")
        page.fill("#rx", "RX-0012345")
        page.fill("#prescriber", "Dr. Ann Smith")
        page.fill("#directions", "Take 1 tablet by mouth once daily.")
        shot("2-filled")
        times: list[float] = []
        arrived: list[float] = []

        def viewer_has_pdf(response) -> bool:
            pdf = response.headers.get("content-type") == "application/pdf"
            return pdf and response.url.startswith("chrome")

        for _ in range(args.runs):
            started = time.perf_counter()
            with (
                page.expect_popup() as popup,
                context.expect_event("response", viewer_has_pdf),
            ):
                with context.expect_event("response", lambda r: r.url.endswith("/preview")):
                    page.click("#preview")
                arrived.append(time.perf_counter() - started)
            times.append(time.perf_counter() - started)
            if args.shots and len(times) == 1:
                popup.value.wait_for_timeout(800)
                popup.value.screenshot(path=str(args.shots / "counter-3-preview.png"))
            popup.value.close()
        page.fill("#leaflet", "baclofen-intrathecal")
        with page.expect_popup() as popup:
            page.click("#preview")
        popup.value.wait_for_selector("[role=alert]")
        if args.shots:
            popup.value.screenshot(path=str(args.shots / "counter-4-refused.png"), full_page=True)
        popup.value.close()
        print(
            f"Preview → the verified PDF's response in the browser: median "
            f"{statistics.median(arrived) * 1000:.0f} ms, best {min(arrived) * 1000:.0f} ms"
        )
        print(
            f"Preview → PDF shown by Chromium's viewer in its new tab: median "
            f"{statistics.median(times) * 1000:.0f} ms, "
            f"best {min(times) * 1000:.0f} ms, worst {max(times) * 1000:.0f} ms "
            f"({len(times)} runs, warm server, 2-page leaflet with a dispense record)"
        )
        context.close()


if __name__ == "__main__":
    main()
