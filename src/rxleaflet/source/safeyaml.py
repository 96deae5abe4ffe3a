"""Read YAML safely: UTF-8 only, size-capped, no tags, no anchors, with line numbers."""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import SourceError, SourceUnreadableError
from ..files import FileTooLarge, NotRegularFile, read_regular_file

MAX_SOURCE_BYTES = 1_000_000

Key = tuple[str | int, ...]


@dataclass(frozen=True)
class YamlDocument:
    """Plain data from one YAML file, with the line where each value starts."""

    path: Path
    data: Any
    sha256: str
    raw: bytes = field(repr=False)  # the file's bytes, as hashed
    lines: dict[Key, int] = field(repr=False)
    block_scalars: frozenset[Key] = field(repr=False)

    def line_of(self, key: Key, offset_in_text: int | None = None, text: str = "") -> int | None:
        """Line of ``key`` (or its nearest known parent); inside block text, of the offset."""
        probe = key
        while probe and probe not in self.lines:
            probe = probe[:-1]
        line = self.lines.get(probe)
        if line is None:
            return None
        if probe == key and offset_in_text is not None and key in self.block_scalars:
            return line + 1 + text.count("\n", 0, offset_in_text)
        return line


class _Refused(Exception):
    def __init__(self, message: str, mark: yaml.Mark | None):
        super().__init__(message)
        self.message = message
        self.mark = mark


# libyaml's parser when PyYAML has it (several times faster), else the pure-Python one
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _refuse_unsafe_events(text: str) -> None:
    """Refuse tags and anchors/aliases from the event stream, before anything is composed."""
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.AliasEvent):
            raise _Refused(
                f"YAML aliases (*{event.anchor}) are not allowed; write the value out in full",
                event.start_mark,
            )
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            raise _Refused(
                f"YAML anchors (&{anchor}) are not allowed; write the value out in full",
                event.start_mark,
            )
        tag = getattr(event, "tag", None)
        if tag is not None:
            raise _Refused(
                f"YAML tags ({tag}) are not allowed; remove the tag and write a plain value",
                event.start_mark,
            )


def read_yaml(path: Path) -> YamlDocument:
    """Load ``path`` into plain Python data, refusing anything unsafe or ambiguous."""
    path = Path(path)
    try:
        raw = read_regular_file(path, MAX_SOURCE_BYTES, what="YAML file")
    except FileTooLarge as error:
        raise SourceError(f"the file {error} (1 MB) — split it", path=path) from None
    except NotRegularFile as error:
        raise SourceError(f"the file {error}", path=path) from None
    except OSError as error:
        raise SourceUnreadableError(f"cannot read file: {error.strerror}", path=path) from None
    return parse_yaml(raw, path)


def parse_yaml(raw: bytes, path: Path) -> YamlDocument:
    """Load YAML bytes (read from ``path``, or carried inside a PDF) the same careful way."""
    if len(raw) > MAX_SOURCE_BYTES:
        raise SourceError(
            f"YAML text is {len(raw):,} bytes; the limit is {MAX_SOURCE_BYTES:,}", path=path
        )
    # composed form (NFC): "ệ" typed as e + two combining marks prints and reads back as one
    # character; line numbers do not change
    text = unicodedata.normalize("NFC", _decode_utf8(raw, path))
    sha256 = hashlib.sha256(raw).hexdigest()
    loader = None
    try:
        _refuse_unsafe_events(text)
        loader = _Loader(text)
        node = loader.get_single_node()
        if node is None:
            raise SourceError("file is empty; expected a YAML mapping", path=path)
        lines: dict[Key, int] = {}
        blocks: set[Key] = set()
        data = _to_plain(node, (), loader, lines, blocks, path)
    except _Refused as refusal:
        raise SourceError(refusal.message, path=path, line=_line(refusal.mark)) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = error.problem or error.context or "invalid YAML"
        raise SourceError(
            f"invalid YAML: {problem}; fix the syntax", path=path, line=_line(mark)
        ) from None
    except yaml.YAMLError as error:
        raise SourceError(f"invalid YAML: {error}", path=path) from None
    finally:
        if loader is not None:
            loader.dispose()
    return YamlDocument(path, data, sha256, raw, lines, frozenset(blocks))


_KINDS = {
    b"\x89PNG": "a PNG image", b"\xff\xd8\xff": "a JPEG image", b"%PDF-": "a PDF",
    b"PK\x03\x04": "a ZIP archive (or an Office document)", b"GIF8": "a GIF image",
}  # fmt: skip


def _decode_utf8(raw: bytes, path: Path) -> str:
    kind = next((name for magic, name in _KINDS.items() if raw.startswith(magic)), None)
    if kind:
        raise SourceError(f"this is {kind}, not a YAML text file; give the .yaml file", path=path)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise SourceError(
            f"not valid UTF-8 (byte 0x{raw[error.start]:02X}); save the file as UTF-8",
            path=path,
            line=line,
        ) from None
    return text.removeprefix("\ufeff")


def _line(mark: yaml.Mark | None) -> int | None:
    return mark.line + 1 if mark is not None else None


def _to_plain(
    node: yaml.Node,
    key: Key,
    loader: Any,
    lines: dict[Key, int],
    blocks: set[Key],
    path: Path,
) -> Any:
    lines[key] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            name = (
                loader.construct_object(key_node) if isinstance(key_node, yaml.ScalarNode) else None
            )
            if not isinstance(name, str):
                raise SourceError(
                    "mapping keys must be plain words", path=path, line=_line(key_node.start_mark)
                )
            if name in result:
                raise SourceError(
                    f"duplicate key '{name}'; keep only one",
                    path=path,
                    line=_line(key_node.start_mark),
                )
            result[name] = _to_plain(value_node, (*key, name), loader, lines, blocks, path)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _to_plain(item, (*key, index), loader, lines, blocks, path)
            for index, item in enumerate(node.value)
        ]
    if node.style in ("|", ">"):
        blocks.add(key)
    try:
        return loader.construct_object(node)
    except ValueError:  # e.g. a date-shaped value that is no date, such as 2027-06-31
        raise SourceError(
            f"{node.value!r} looks like a date but is not a valid one; fix it or quote it",
            path=path,
            line=_line(node.start_mark),
        ) from None
