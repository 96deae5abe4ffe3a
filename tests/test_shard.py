"""batch --shard K/N: deterministic, disjoint shares whose manifests merge into one batch."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from rxleaflet.batch import Shard, run_batch
from rxleaflet.cli import main
from rxleaflet.manifests import ManifestError, merge_manifests
from rxleaflet.pipeline import RenderOptions

from .conftest import LIBRARY, MINIMAL, TODAY

OPTIONS = RenderOptions(as_of=TODAY, allow_expired=True)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """The library, and twelve small leaflets in a subfolder."""
    root = tmp_path / "in"
    shutil.copytree(LIBRARY, root)
    (root / "more").mkdir()
    for number in range(12):
        text = MINIMAL.replace("id: testdrug", f"id: testdrug-{number}")
        (root / "more" / f"testdrug-{number}.yaml").write_text(text, encoding="utf-8")
    return root


def test_shares_are_disjoint_cover_everything_and_make_the_same_bytes(
    folder: Path, tmp_path: Path
) -> None:
    whole = run_batch(folder, tmp_path / "whole", OPTIONS)
    seen: list[str] = []
    for index in (1, 2, 3):
        part = run_batch(folder, tmp_path / f"s{index}", OPTIONS, shard=Shard(index, 3))
        assert part.entries, "each of 3 shares of the leaflets holds some"
        seen += [entry.source for entry in part.entries]
        for entry in part.entries:
            made = (tmp_path / f"s{index}" / f"{entry.id}.pdf").read_bytes()
            assert made == (tmp_path / "whole" / f"{entry.id}.pdf").read_bytes()
        manifest = json.loads((tmp_path / f"s{index}" / "manifest.json").read_text())
        assert manifest["shard"] == f"{index}/3"
    assert sorted(seen) == sorted(entry.source for entry in whole.entries)
    assert len(seen) == len(set(seen))

    merged = merge_manifests([tmp_path / f"s{i}" / "manifest.json" for i in (3, 1, 2)])
    whole_manifest = json.loads((tmp_path / "whole" / "manifest.json").read_text())
    assert merged["summary"] == whole_manifest["summary"]
    assert merged["fingerprint"] == whole_manifest["fingerprint"]
    assert sorted(e["output_sha256"] or "" for e in merged["leaflets"]) == sorted(
        e["output_sha256"] or "" for e in whole_manifest["leaflets"]
    )


def test_a_share_depends_on_the_path_inside_the_folder_not_where_it_is(tmp_path: Path) -> None:
    shard = Shard(2, 5)
    for name in ("a.yaml", "sub/b.yaml", "c.yaml", "d.yaml", "e.yaml", "f.yaml"):
        here = shard.holds(tmp_path / "x" / name, tmp_path / "x")
        there = shard.holds(Path("/mnt/other") / name, Path("/mnt/other"))
        assert here == there


def test_an_id_used_twice_is_refused_even_when_the_two_are_in_different_shares(
    folder: Path, tmp_path: Path
) -> None:
    (folder / "more" / "testdrug-0.yaml").write_text(
        MINIMAL.replace("id: testdrug", "id: lisinopril"), encoding="utf-8"
    )
    refused = []
    for index in (1, 2):
        result = run_batch(folder, tmp_path / f"s{index}", OPTIONS, shard=Shard(index, 2))
        refused += [e.source for e in result.entries if "used by 2 sources" in " ".join(e.reasons)]
    assert sorted(Path(s).name for s in refused) == ["lisinopril.yaml", "testdrug-0.yaml"]


def test_merging_refuses_what_is_not_one_whole_batch(folder: Path, tmp_path: Path) -> None:
    for index in (1, 2):
        run_batch(folder, tmp_path / f"s{index}", OPTIONS, shard=Shard(index, 3))
    one, two = (tmp_path / f"s{i}" / "manifest.json" for i in (1, 2))
    with pytest.raises(ManifestError, match=r"shard\(s\) 3/3 missing"):
        merge_manifests([one, two])
    with pytest.raises(ManifestError, match="shard 1/3 is also in"):
        merge_manifests([one, one])
    run_batch(folder, tmp_path / "a4", RenderOptions(as_of=TODAY, allow_expired=True, paper="a4"),
              shard=Shard(3, 3))  # fmt: skip
    with pytest.raises(ManifestError, match="fingerprints differ"):
        merge_manifests([one, two, tmp_path / "a4" / "manifest.json"])
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(ManifestError, match="not a JSON manifest"):
        merge_manifests([tmp_path / "bad.json"])


def test_the_cli_shards_and_merges(folder: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    for index in (1, 2):
        result = runner.invoke(main, ["batch", str(folder), "-o", str(tmp_path / f"s{index}"),
                                      "--shard", f"{index}/2", "--jobs", "1", "--allow-expired",
                                      "--as-of", TODAY.isoformat()])  # fmt: skip
        assert result.exit_code == 0, result.output
    merged = tmp_path / "merged.json"
    shards = [str(tmp_path / f"s{index}" / "manifest.json") for index in (1, 2)]
    result = runner.invoke(main, ["merge-manifests", *shards, "-o", str(merged)])
    assert result.exit_code == 0, result.output
    produced = len(list(LIBRARY.glob("*.yaml"))) + 12  # the library and the twelve
    assert json.loads(merged.read_text())["summary"]["produced"] == produced
    bad = runner.invoke(main, ["batch", str(folder), "-o", str(tmp_path / "x"), "--shard", "0/3"])
    assert bad.exit_code == 2 and "'0/3' is not K/N with 1 ≤ K ≤ N" in bad.output
    assert not (tmp_path / "x").exists()
