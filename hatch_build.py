"""Build hook: the wheel carries the fonts, the bundled leaflet library and the example brand
inside the package, so an installed wheel works like a checkout. An editable install reads them
from the checkout instead of copying the 47 MB of fonts into site-packages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

# checkout folder -> folder inside the package, and which files of it run (fonts/dehint.py, the
# script that made the fonts, does not)
PACKAGE_DATA = {
    "fonts": ("rxleaflet/fonts", ("*.ttf", "*.txt", "*.md")),
    "leaflets": ("rxleaflet/library", ("*.yaml",)),
    "examples": ("rxleaflet/examples", ("*.yaml", "*.png", "*.md", "brand/*")),
}


class PackageData(BuildHookInterface):
    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        root = Path(self.root)
        for folder, (target, patterns) in PACKAGE_DATA.items():
            for pattern in patterns:
                for path in sorted((root / folder).glob(pattern)):
                    if path.is_file():
                        relative = path.relative_to(root / folder).as_posix()
                        build_data["force_include"][str(path)] = f"{target}/{relative}"
