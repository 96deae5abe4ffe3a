"""Plant one defect in a finished PDF by editing its bytes, as a faulty producer would."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader, PdfWriter
from pypdf.generic import ContentStream, DecodedStreamObject, NameObject

_FOOTER = re.compile(rb"/Artifact <</Type /Pagination /Subtype /Footer>> BDC.*?EMC", re.S)


def edit_page_content(pdf: bytes, page_index: int, edit) -> bytes:
    """``pdf`` with page ``page_index``'s content stream replaced by ``edit(content)``."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    page = writer.pages[page_index]
    content = page.get_contents()
    assert content is not None
    stream = DecodedStreamObject()
    stream.set_data(edit(content.get_data()))
    page[NameObject("/Contents")] = writer._add_object(stream)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def without_footer(pdf: bytes, page_index: int) -> bytes:
    """The running footer (copyright, expiry, page number) removed from one page."""

    def edit(content: bytes) -> bytes:
        edited, count = _FOOTER.subn(b"", content)
        assert count == 1, "no running footer found on that page"
        return edited

    return edit_page_content(pdf, page_index, edit)


def strip_embedded_source(pdf: bytes, keep_record: bool = False) -> bytes:
    """The PDF without the source it carries, as if another engine had made it (with
    ``keep_record``, its SHA-256 stays recorded: a doctored copy hiding its source)."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    root = writer._root_object
    root.pop(NameObject("/Names"), None)
    root.pop(NameObject("/AF"), None)
    if keep_record:
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()
    info = writer._info.get_object() if writer._info is not None else None
    if info is not None:  # another engine records no source either
        info.pop(NameObject("/RxLeafletSourceSHA256"), None)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


__all__ = ["ContentStream", "edit_page_content", "strip_embedded_source", "without_footer"]
