"""Verify the signatures a PDF carries (with pyHanko and its certificate validator).

A signed leaflet tells a reviewer who made it and that nothing changed since: every signature
found is checked for integrity over the whole file (nothing after it but what PAdES allows), its
signer and signing time are reported, and a broken one is an error. Given trust roots
(``check --trust CERT``), a leaflet must carry a valid signature chaining to one of them.

pyHanko is imported only when a file has a signature or trust roots were given: it takes about
a second to import, which ``check`` of unsigned PDFs does not pay.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..files import FileRefused, read_regular_file
from .contentscan import ScanTimeout
from .pdfread import TIME_BUDGET_SECONDS, _alarm
from .rules import ERROR, CheckOptions, Finding

MAX_CERTIFICATE_BYTES = 1_000_000
MAX_SIGNATURES = 20  # a leaflet has one; the rest of a hostile file's are not verified

SIGNATURE_RULE_IDS: dict[str, str] = {
    "signature": "every signature intact, over the whole file, by a certificate valid then",
    "signature-trust": "with --trust: a valid signature chaining to one of the given roots",
}


@dataclass(frozen=True)
class Signature:
    """What a reviewer needs to know about one signature."""

    field: str
    signer: str  # the certificate's subject
    signed_at: str | None  # ISO 8601: the time the signer claims (or the timestamp's)
    timestamp: str | None  # ISO 8601, from a timestamp server (PAdES B-T), when there is one
    level: str  # B-B or B-T
    intact: bool  # the signed bytes are unchanged and the signature is the signer's
    whole_file: bool  # nothing follows it but what PAdES allows
    trusted: bool | None  # chains to a given root (None: no roots given)
    problems: tuple[str, ...] = ()

    @property
    def valid(self) -> bool:
        return self.intact and self.whole_file and not self.problems

    def describe(self) -> str:
        when = f" at {self.signed_at}" if self.signed_at else ""
        stamp = " (timestamped)" if self.timestamp else ""
        trust = {True: "trusted", False: "not trusted", None: "trust not checked (no --trust)"}
        state = "valid" if self.valid else "INVALID"
        return (
            f"{state} {self.level} signature by {self.signer}{when}{stamp}; {trust[self.trusted]}"
        )

    def as_json(self) -> dict[str, object]:
        return {
            "field": self.field,
            "signer": self.signer,
            "signed_at": self.signed_at,
            "timestamp": self.timestamp,
            "level": self.level,
            "valid": self.valid,
            "intact": self.intact,
            "whole_file": self.whole_file,
            "trusted": self.trusted,
            "problems": list(self.problems),
        }


def load_trust_roots(paths: Sequence[Path]) -> tuple[bytes, ...]:
    """The DER certificates in ``paths`` (PEM, several per file allowed, or DER); ValueError
    naming the file when one holds none."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    roots: list[bytes] = []
    for path in paths:
        try:
            data = read_regular_file(path, MAX_CERTIFICATE_BYTES, what="certificate file")
        except FileRefused as refused:
            raise ValueError(f"{path}: the file {refused}") from None
        except OSError as error:
            raise ValueError(f"{path}: cannot read file: {error.strerror}") from None
        try:
            if b"-----BEGIN CERTIFICATE-----" in data:
                found = x509.load_pem_x509_certificates(data)
            else:
                found = [x509.load_der_x509_certificate(data)]
        except ValueError:
            raise ValueError(f"{path}: no certificate (PEM or DER) in this file") from None
        roots += [c.public_bytes(serialization.Encoding.DER) for c in found]
    return tuple(roots)


def verify_signatures(data: bytes, options: CheckOptions) -> tuple[list[Signature], list[Finding]]:
    """Every signature in ``data``, and the findings: a broken signature is an error, and with
    trust roots an unsigned or untrusted file is one too. (The checker calls it only for a file
    that may be signed, or when a signature is required: checker._signatures.)"""
    trust = options.trust
    signatures: list[Signature] = []
    findings: list[Finding] = []
    moment = _moment(options)
    try:
        # the check's time limit holds for signatures too: pyHanko reads the file its own way
        with _quiet(), _alarm(time.monotonic() + TIME_BUDGET_SECONDS):
            for embedded in _embedded_signatures(data)[:MAX_SIGNATURES]:
                signatures.append(_verify(embedded, trust, moment))
    except ScanTimeout:
        findings.append(
            Finding("signature", ERROR, f"verifying the signatures took over "
                    f"{TIME_BUDGET_SECONDS:g} s; the signatures were not checked")
        )  # fmt: skip
    except Exception as error:  # noqa: BLE001 - pyHanko's reader on a hostile file
        if trust or b"/ByteRange" in data:
            findings.append(
                Finding("signature", ERROR, f"the signatures cannot be read: {_short(error)}")
            )
    for checked in signatures:
        for problem in checked.problems:
            findings.append(Finding("signature", ERROR, f"{checked.field}: {problem}"))
    if trust and not any(s.valid and s.trusted for s in signatures):
        if not signatures:
            why = "the PDF is not signed"
        elif not any(s.valid for s in signatures):
            why = "no signature in it is valid"
        else:
            signers = "; ".join(sorted({s.signer for s in signatures}))
            why = f"it is signed by {signers}, whose certificate chains to none of them"
        findings.append(
            Finding(
                "signature-trust",
                ERROR,
                f"a valid signature chaining to a --trust certificate is required, but {why}",
            )
        )
    return signatures, findings


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """pyHanko logs every failed certificate path with its traceback: the finding says it
    once, in words, so its loggers are silenced while it works (and restored after)."""
    import logging  # with pyHanko; a render's read-back of an unsigned leaflet never needs it

    loggers = [logging.getLogger(name) for name in ("pyhanko", "pyhanko_certvalidator")]
    before = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL + 1)  # their children inherit it
    try:
        yield
    finally:
        for logger, level in zip(loggers, before, strict=True):
            logger.setLevel(level)


def _moment(options: CheckOptions) -> dt.datetime:
    if options.as_of is not None:
        return dt.datetime.combine(options.as_of, dt.time(12), dt.UTC)
    return dt.datetime.now(dt.UTC)


def _embedded_signatures(data: bytes) -> list[Any]:
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(data), strict=False)
    return list(reader.embedded_signatures)


def _verify(embedded: Any, trust: tuple[bytes, ...], moment: dt.datetime) -> Signature:
    """One signature, checked: intact, covering the file, and (with roots) trusted at the
    time a timestamp proves, else at ``moment``."""
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    field = str(embedded.field_name or "signature")
    try:
        status = validate_pdf_signature(embedded, _context(trust, moment))
    except ScanTimeout:
        raise
    except Exception as error:  # noqa: BLE001 - a malformed signature is a finding
        return Signature(
            field, "unknown", None, None, "unknown", False, False, False if trust else None,
            (f"the signature cannot be verified: {_short(error)}",),
        )  # fmt: skip
    stamp = status.timestamp_validity
    stamp_time = stamp.timestamp if stamp is not None and stamp.intact and stamp.valid else None
    if trust and stamp_time is not None and not status.trusted and stamp_time < moment:
        # a timestamp proves when it was signed: judge the certificate then
        status = validate_pdf_signature(embedded, _context(trust, stamp_time))
    certificate = status.signing_cert
    signer = _subject(certificate)
    claimed = status.signer_reported_dt or embedded.self_reported_timestamp
    problems = []
    intact = bool(status.intact and status.valid)
    if not status.intact:
        problems.append(
            "the signed bytes were changed after signing (the page, the embedded source or "
            "the metadata no longer match the signature)"
        )
    elif not status.valid:
        problems.append(f"the signature is not {signer}'s: it does not verify with the certificate")
    whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE or (
        status.coverage == SignatureCoverageLevel.ENTIRE_REVISION
        and status.modification_level is not None
        and status.modification_level <= ModificationLevel.LTA_UPDATES
    )
    if not whole:
        problems.append(
            "the file was changed after it was signed (an update appended after the "
            "signature changes more than PAdES allows)"
        )
    judged_at = stamp_time or moment
    not_after = certificate["tbs_certificate"]["validity"]["not_after"].native
    not_before = certificate["tbs_certificate"]["validity"]["not_before"].native
    if judged_at > not_after:
        proof = "timestamp" if stamp_time else "check"
        problems.append(
            f"the signer's certificate ({signer}) expired on {not_after:%Y-%m-%d}, before the "
            f"{proof} time {judged_at:%Y-%m-%d}; nothing proves it was signed while valid"
        )
    elif claimed is not None and claimed < not_before:
        problems.append(
            f"the signing time {claimed:%Y-%m-%d} is before the certificate was valid "
            f"({not_before:%Y-%m-%d})"
        )
    if stamp is not None and stamp_time is None:
        problems.append("the signature's timestamp is broken")
    trusted = bool(status.trusted) if trust else None
    return Signature(
        field=field,
        signer=signer,
        signed_at=_iso(stamp_time or claimed),
        timestamp=_iso(stamp_time),
        level="B-T" if stamp is not None else "B-B",
        intact=intact,
        whole_file=whole,
        trusted=trusted,
        problems=tuple(problems),
    )


def _context(trust: tuple[bytes, ...], moment: dt.datetime) -> Any:
    from asn1crypto import x509
    from pyhanko_certvalidator import ValidationContext

    return ValidationContext(
        trust_roots=[x509.Certificate.load(der) for der in trust],
        allow_fetching=False,  # a check never goes to the network
        revocation_mode="soft-fail",
        moment=moment,
        best_signature_time=moment,
    )


def _subject(certificate: Any) -> str:
    try:
        return str(certificate.subject.human_friendly)
    except Exception:  # noqa: BLE001 - an odd subject still names nothing useful
        return "an unreadable subject"


def _iso(moment: dt.datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _short(error: BaseException) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return text[:200]
