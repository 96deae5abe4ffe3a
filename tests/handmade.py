"""PDFs written by hand, byte by byte: hostile or broken files no PDF library would make.

Used by the tests and by ``benchmarks/hostile.py``; it imports nothing from rxleaflet.
"""

from __future__ import annotations


def handmade_pdf(objects: list[bytes]) -> bytes:
    """A PDF of ``objects`` (object 1 is the catalog), with a correct cross-reference table."""
    out = b"%PDF-1.7\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return out


def one_page_pdf(
    content: bytes, resources: bytes = b"<< >>", extra: list[bytes] | None = None
) -> bytes:
    """One Letter page drawing ``content`` with ``resources``; ``extra`` objects follow (5 0 R
    onwards), for the resources to refer to."""
    return handmade_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            b"/Resources " + resources + b" >>",
            b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
            *(extra or []),
        ]
    )
