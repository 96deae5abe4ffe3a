"""The package's layers: imports flow one way, and the checker never needs the renderer."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import LIBRARY, REPO, TODAY

PACKAGE = REPO / "src" / "rxleaflet"
EXAMPLE_BRAND = REPO / "examples" / "brand" / "brand.yaml"
# What each layer may import from rxleaflet (besides itself); third parties it must not import.
LAYERS = {
    "source": ({"errors", "files", "packagedata", "source"}, {"reportlab", "pypdf"}),
    "contract": ({"errors", "files", "packagedata", "source", "contract"}, {"reportlab", "pypdf"}),
    "render": ({"errors", "files", "packagedata", "source", "contract", "render"}, {"pypdf"}),
    "check": ({"errors", "files", "packagedata", "source", "contract", "check"}, {"reportlab"}),
}


def _imports(path: Path) -> set[str]:
    """Top-level names imported by a module: ``rxleaflet.x`` as ``x``, third parties as is."""
    module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    package = module.rsplit(".", 1)[0] if path.name != "__init__.py" else module
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                name = ".".join([*base, node.module] if node.module else base)
                found.update([name] if node.module else [f"{name}.{a.name}" for a in node.names])
            else:
                found.add(node.module or "")
    return {
        name.split(".")[1] if name.startswith("rxleaflet.") else name.split(".")[0]
        for name in found
        if name not in ("rxleaflet", "__future__")
    } | ({"__version__"} & {n.split(".")[-1] for n in found})


@pytest.mark.parametrize("layer", sorted(LAYERS))
def test_layer_imports_only_what_is_below_it(layer: str) -> None:
    allowed, forbidden = LAYERS[layer]
    files = [PACKAGE / f"{layer}.py"] if (PACKAGE / f"{layer}.py").exists() else []
    files += sorted((PACKAGE / layer).rglob("*.py")) if (PACKAGE / layer).is_dir() else []
    assert files
    ours = {p.stem for p in PACKAGE.iterdir() if p.suffix == ".py" or p.is_dir()}
    for path in files:
        names = _imports(path) - {"__version__", "__init__"}
        wrong = {n for n in names if n in ours and n not in allowed} | (names & forbidden)
        assert not wrong, f"{path.relative_to(REPO)} imports {sorted(wrong)}"


def _loaded_after(code: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys\nprint(' '.join(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
    )
    return set(done.stdout.split()) if done.returncode in (0, 1) else set()


def test_importing_the_checker_does_not_load_reportlab() -> None:
    loaded = _loaded_after("import rxleaflet.check, rxleaflet.check.report")
    assert "rxleaflet.check" in loaded
    assert not {m for m in loaded if m.startswith("reportlab")}


def test_loading_a_source_loads_no_pdf_library() -> None:
    loaded = _loaded_after(
        f"from rxleaflet.contract import prepare\nprepare(__import__('pathlib').Path("
        f"{str(LIBRARY / 'lisinopril.yaml')!r}))"
    )
    assert "rxleaflet.source.monograph" in loaded
    assert not {m for m in loaded if m.startswith(("reportlab", "pypdf"))}


def test_rxleaflet_check_end_to_end_does_not_load_reportlab(tmp_path: Path) -> None:
    from .conftest import render_source

    pdf = tmp_path / "lisinopril.pdf"
    pdf.write_bytes(render_source(LIBRARY / "lisinopril.yaml"))
    code = (
        "import sys\nfrom rxleaflet.cli import main\n"
        "try:\n"
        f"    main(['check', {str(pdf)!r}, '--as-of', {TODAY.isoformat()!r}])\n"
        "except SystemExit as exit:\n"
        "    assert exit.code == 0, exit.code"
    )
    loaded = _loaded_after(code)
    assert "rxleaflet.check.rules" in loaded
    assert not {m for m in loaded if m.startswith("reportlab")}


def test_the_help_loads_neither_pdf_library() -> None:
    loaded = _loaded_after(
        "from rxleaflet.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass"
    )
    assert "rxleaflet.cli" in loaded
    assert not {m for m in loaded if m.startswith(("reportlab", "pypdf", "yaml"))}
    # about 15 ms; the package data are plain files. Forgotten first, in case this Python's
    # start-up (a .pth file) loaded it already.
    forget = (
        "import importlib, sys\n"
        "for name in [m for m in sys.modules if m.startswith('importlib.resources')]:\n"
        "    del sys.modules[name]\n"
        "vars(importlib).pop('resources', None)\n"
    )
    assert "importlib.resources" not in _loaded_after(forget + "import rxleaflet.cli")


def test_a_render_loads_no_page_templates_and_no_network_code(tmp_path: Path) -> None:
    """Cold start: ReportLab's platypus (our own page flow replaces it) and urllib.request
    (which xml.sax.saxutils drags in) cost a cold render about 55 ms between them."""
    code = (
        "from rxleaflet.cli import main\n"
        "try:\n"
        f"    main(['render', {str(LIBRARY / 'lisinopril.yaml')!r}, '-o', "
        f"{str(tmp_path / 'out.pdf')!r}])\n"
        "except SystemExit as exit:\n"
        "    assert exit.code == 0, exit.code"
    )
    loaded = _loaded_after(code)
    assert "rxleaflet.render.flow" in loaded
    assert (tmp_path / "out.pdf").is_file()
    assert not {m for m in loaded if m.startswith("reportlab.platypus")}
    assert not {"urllib.request", "http.client", "xml.sax.saxutils"} & loaded
    assert "logging" not in loaded  # about 7 ms: only pypdf's and pyHanko's paths need it
    # the read-back judges what render has just drawn: no PDFium, numpy, qpdf or pyHanko
    # (about 0.4 s of imports between them), and no pypdf (0.14 s, with the Pillow,
    # cryptography and fontTools it loads): check/ownpdf.py reads rxleaflet's own grammar
    top = {m.split(".")[0] for m in loaded}
    assert not top & {"pypdfium2", "numpy", "pikepdf", "pyhanko", "pypdf", "cryptography"}
    # nor what only a signed file, a reading grade or the importer needs (about 5 ms)
    assert not {"rxleaflet.check.signatures", "rxleaflet.check.readability"} & loaded


@pytest.mark.parametrize(
    ("leaflet", "brand", "shaped", "bitmap"),
    [
        ("lisinopril", False, False, False),
        ("metformin-hi", False, True, False),
        ("metformin-ar", False, True, False),
        ("lisinopril", True, False, True),
    ],
)
def test_harfbuzz_and_pillow_are_loaded_only_when_used(
    tmp_path: Path, leaflet: str, brand: bool, shaped: bool, bitmap: bool
) -> None:
    """ReportLab imports HarfBuzz (about 20 ms) and Pillow's Image (about 18 ms) at start;
    rxleaflet.deferred stands in for each until one of its attributes is read: HarfBuzz by the
    shaped scripts (Hindi and Arabic here), Pillow by a brand's logo. fontTools is never
    loaded: a shaped face's metrics and subsets are read from its tables directly (fontTools
    took 30 ms to import and more to decompile a face, at every shaped leaflet's first use,
    and 25-55 ms per face to subset, at every leaflet)."""
    branding = f", '--brand', {str(EXAMPLE_BRAND)!r}" if brand else ""
    code = (
        "from rxleaflet.cli import main\n"
        "try:\n"
        f"    main(['render', {str(LIBRARY / f'{leaflet}.yaml')!r}, '-o', "
        f"{str(tmp_path / 'out.pdf')!r}{branding}])\n"
        "except SystemExit as exit:\n"
        "    assert exit.code == 0, exit.code"
    )
    loaded = _loaded_after(code)
    assert (tmp_path / "out.pdf").is_file()
    assert {"reportlab.pdfbase.ttfonts", "uharfbuzz", "PIL.Image"} <= loaded  # the stand-ins
    assert ("uharfbuzz._harfbuzz" in loaded) is shaped
    assert ("PIL._imaging" in loaded) is bitmap
    assert not {m for m in loaded if m.startswith("fontTools")}
    images = (tmp_path / "out.pdf").read_bytes().count(b"/Subtype /Image")
    assert images == bitmap


def test_paper_names_match_the_data_file() -> None:
    from rxleaflet import packagedata

    assert set(packagedata.PAPERS) == set(packagedata.load("page_sizes.yaml"))


def test_the_cli_tunes_the_collector_and_the_library_does_not() -> None:
    def threshold_after(code: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", code + "\nimport gc\nprint(gc.get_threshold()[0])"],
            capture_output=True, text=True, check=False, cwd=REPO,
        )  # fmt: skip
        return done.stdout.split()[-1]

    library = threshold_after("import rxleaflet.pipeline, rxleaflet.batch, rxleaflet.cli")
    cli = threshold_after(
        "from rxleaflet.cli import main\ntry:\n    main(['list', '--library', "
        f"{str(LIBRARY)!r}])\nexcept SystemExit:\n    pass"
    )
    assert (library, cli) == ("700", "50000")


@pytest.mark.parametrize("sign", ["", " (∛)"])
def test_the_symbols_face_is_read_only_when_text_needs_it(tmp_path: Path, sign: str) -> None:
    """Noto Sans Math (3.5 ms to load) for a leaflet with a sign only it has, not for others."""
    source = tmp_path / "lisinopril.yaml"
    text = (LIBRARY / "lisinopril.yaml").read_text(encoding="utf-8")
    changed = text.replace("(ACE) inhibitor.", f"(ACE) inhibitor{sign}.", 1)
    assert changed != text or not sign
    source.write_text(changed, encoding="utf-8")
    out = tmp_path / "out.pdf"
    code = (
        "from reportlab.pdfbase import pdfmetrics\n"
        "from rxleaflet.cli import main\n"
        "from rxleaflet.render.fonts import SYMBOLS\n"
        "try:\n"
        f"    main(['render', {str(source)!r}, '-o', {str(out)!r}])\n"
        "except SystemExit as exit:\n"
        "    assert exit.code == 0, exit.code\n"
        "print(SYMBOLS in pdfmetrics._fonts)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[-1] == str(bool(sign))
    assert (b"NotoSansMath" in out.read_bytes()) is bool(sign)
