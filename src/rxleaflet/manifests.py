"""Merge the manifests of a batch spread over machines with ``batch --shard K/N``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from . import __version__
from .batch import PRODUCED, REFUSED, SKIPPED
from .errors import LeafletError
from .files import read_or_refuse

MAX_MANIFEST_BYTES = 256 << 20


class ManifestError(LeafletError):
    """Manifests that do not make one whole batch."""


def merge_manifests(paths: list[Path]) -> dict[str, Any]:
    """One manifest from every shard's: the same options, shards 1..N each once, no leaflet
    twice; entries as the shards recorded them (outputs where each shard wrote them)."""
    documents = [(path, _read(path)) for path in paths]
    first_path, first = documents[0]
    shards: dict[int, Path] = {}
    count = None
    leaflets: list[dict[str, Any]] = []
    seen: dict[str, Path] = {}
    for path, document in documents:
        if document.get("fingerprint") != first.get("fingerprint"):
            raise ManifestError(
                f"made with other options than {first_path} (fingerprints differ); every shard "
                "must run with the same options and rxleaflet version",
                path=path,
            )
        shard = document.get("shard")
        if not isinstance(shard, str) or "/" not in shard:
            raise ManifestError("not the manifest of a sharded batch (no 'shard')", path=path)
        index, total = (int(part) for part in shard.split("/"))
        if count is not None and total != count:
            raise ManifestError(f"shard {shard} is not one of {count}", path=path)
        count = total
        if index in shards:
            raise ManifestError(f"shard {shard} is also in {shards[index]}", path=path)
        shards[index] = path
        for entry in document.get("leaflets", []):
            source = str(entry.get("source"))
            if source in seen:
                raise ManifestError(f"{source} is also in {seen[source]}", path=path)
            seen[source] = path
            leaflets.append(entry)
    missing = sorted(set(range(1, (count or 0) + 1)) - set(shards))
    if missing:
        raise ManifestError(
            f"shard(s) {', '.join(f'{i}/{count}' for i in missing)} missing; give every "
            "shard's manifest",
            path=first_path,
        )
    leaflets.sort(key=lambda entry: str(entry.get("source")))
    return {
        "rxleaflet": __version__,
        "options": first.get("options"),
        "fingerprint": first.get("fingerprint"),
        "shards": {f"{i}/{count}": str(shards[i]) for i in sorted(shards)},
        "complete": all(document.get("complete") for _, document in documents),
        "summary": {
            status: sum(1 for entry in leaflets if entry.get("status") == status)
            for status in (PRODUCED, REFUSED, SKIPPED)
        },
        "leaflets": leaflets,
    }


def _read(path: Path) -> dict[str, Any]:
    data = read_or_refuse(path, MAX_MANIFEST_BYTES, what="manifest", error=ManifestError)
    try:
        document = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        raise ManifestError("not a JSON manifest; give manifest.json files", path=path) from None
    if not isinstance(document, dict) or "leaflets" not in document:
        raise ManifestError("not an rxleaflet manifest (no 'leaflets')", path=path)
    return document
