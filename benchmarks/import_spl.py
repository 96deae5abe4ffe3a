"""Real labels, measured: the import rate and word recall of the 40 real SPL labels in
``tests/data/spl/real/`` (import → validate → render and check → words of the PDF), one line per
label, and the time the whole run took.

Run from the repository root: ``PYTHONPATH=src python3 benchmarks/import_spl.py [LABEL.xml…]``;
``--bounds`` instead runs ``import spl`` on hostile labels (20,000 nested elements, 19 MB ones),
each in a new process, and prints its wall time and peak memory (RSS).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # tests/spl_recall.py does the measuring

from tests.spl_recall import measure_all, table  # noqa: E402

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<document xmlns="urn:hl7-org:v3"><id root="1"/>'
    '<effectiveTime value="20250115"/><setId root="s"/><versionNumber value="1"/>'
    "<component><structuredBody>"
)
GUIDE = (
    '<component><section><code code="42231-1"/><text><paragraph><content styleCode="bold">'
    "What is Testamab?</content></paragraph><paragraph>A medicine.</paragraph><paragraph>"
    '<content styleCode="bold">What are the possible side effects of Testamab?</content>'
    "</paragraph><paragraph>You may report side effects to FDA at 1-800-FDA-1088.</paragraph>"
    "{more}</text></section></component>"
)
TAIL = "</structuredBody></component></document>"
SIZE = 19_000_000
FILLER = (
    "<paragraph>Text about pharmacokinetics in a paragraph of about a hundred characters."
    "</paragraph>\n"
)
HOSTILE = {
    "20,000 nested elements": lambda: GUIDE.format(
        more="<paragraph>" + "<content>" * 20_000 + "x" + "</content>" * 20_000 + "</paragraph>"
    ),
    "19 MB of <br/>": lambda: GUIDE.format(
        more="<paragraph>" + "<br/>" * (SIZE // 5) + "</paragraph>"
    ),
    "19 MB guide": lambda: GUIDE.format(more=FILLER * (SIZE // len(FILLER))),
    "19 MB label, small guide": lambda: (
        '<component><section><code code="34090-1"/><text>' + FILLER * (SIZE // len(FILLER))
        + "</text></section></component>" + GUIDE.format(more="")
    ),
}  # fmt: skip
CHILD = """
import resource, sys, time
from rxleaflet.cli import main
started = time.perf_counter()
code = 0
try:
    main(sys.argv[1:], standalone_mode=False)
except SystemExit as exit:
    code = exit.code
finally:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{time.perf_counter() - started:.2f} s, {peak:.0f} MB, exit {code}", file=sys.stderr)
"""


def bounds() -> None:
    with tempfile.TemporaryDirectory() as folder:
        for name, body in HOSTILE.items():
            label = Path(folder) / "label.xml"
            label.write_text(HEAD + body() + TAIL, encoding="utf-8")
            size = label.stat().st_size / 1e6
            result = subprocess.run(
                [sys.executable, "-c", CHILD, "import", "spl", str(label), "-o",
                 str(Path(folder) / "out.yaml"), "--force"],
                capture_output=True, text=True, check=False,
            )  # fmt: skip
            lines = (result.stdout + result.stderr).strip().splitlines()
            print(f"{name:26} {size:4.1f} MB: {lines[-1]}\n    {lines[0][:150]}")


def main() -> None:
    if sys.argv[1:] == ["--bounds"]:
        bounds()
        return
    labels = [Path(arg) for arg in sys.argv[1:]] or None
    started = time.perf_counter()
    outcomes = measure_all(labels)
    print(table(outcomes))
    print(f"{len(outcomes)} label(s) in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
