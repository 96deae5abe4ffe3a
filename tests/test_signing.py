"""Signed leaflets: signing (PAdES B-B and B-T), verifying, and every tampering being caught.

A throwaway CA, signers and a timestamp authority are made here with `cryptography`; the B-T
test runs a real RFC 3161 responder on loopback (pyHanko's test TSA behind http.server).
"""

from __future__ import annotations

import datetime as dt
import http.server
import io
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from rxleaflet.check import CheckOptions, check_pdf
from rxleaflet.check.signatures import SIGNATURE_RULE_IDS, load_trust_roots
from rxleaflet.cli import main
from rxleaflet.errors import SigningError
from rxleaflet.pipeline import RenderOptions, build, prepare
from rxleaflet.signing import Passphrase, load_key, sign_pdf

from .conftest import LIBRARY, TODAY, assert_pdfua
from .tools import verapdf

SIGNED_AT = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)  # conftest's SOURCE_DATE_EPOCH
PASSPHRASE = "correct horse battery staple 7731"


# -- a throwaway PKI ---------------------------------------------------------------------------


@dataclass
class Identity:
    key: object
    certificate: x509.Certificate

    def key_pem(self, passphrase: str | None = None) -> bytes:
        encryption = (
            serialization.BestAvailableEncryption(passphrase.encode())
            if passphrase
            else serialization.NoEncryption()
        )
        return self.key.private_bytes(  # type: ignore[attr-defined]
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
        )

    def cert_pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)


def _name(common: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Test Pharmacy Group"),
        ]
    )


def _identity(
    common: str,
    issuer: Identity | None = None,
    *,
    ca: bool = False,
    valid: tuple[dt.datetime, dt.datetime] = (
        dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
        dt.datetime(2040, 1, 1, tzinfo=dt.UTC),
    ),
    key: object | None = None,
    timestamping: bool = False,
) -> Identity:
    key = key or rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = key.public_key()  # type: ignore[attr-defined]
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common))
        .issuer_name(issuer.certificate.subject if issuer else _name(common))
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(valid[0])
        .not_valid_after(valid[1])
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, content_commitment=not ca, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca,
                encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )  # fmt: skip
    )
    if issuer is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(
                issuer.key.public_key()  # type: ignore[attr-defined]
            ),
            critical=False,
        )
    if timestamping:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True
        )
    signing_key = (issuer or Identity(key, None)).key  # type: ignore[arg-type]
    return Identity(key, builder.sign(signing_key, hashes.SHA256()))  # type: ignore[arg-type]


@dataclass
class Pki:
    root: Identity
    signer: Identity
    expired: Identity
    other_root: Identity
    stranger: Identity  # signed by other_root
    self_signed: Identity
    tsa: Identity


@pytest.fixture(scope="module")
def pki() -> Pki:
    root = _identity("Test Root CA", ca=True)
    other = _identity("Other Root CA", ca=True)
    return Pki(
        root=root,
        signer=_identity("Riverside Community Pharmacy", root),
        expired=_identity(
            "Expired Pharmacy",
            root,
            valid=(dt.datetime(2020, 1, 1, tzinfo=dt.UTC), dt.datetime(2021, 1, 1, tzinfo=dt.UTC)),
        ),
        other_root=other,
        stranger=_identity("Stranger Pharmacy", other),
        self_signed=_identity("Self Signed Pharmacy"),
        tsa=_identity("Test Timestamp Authority", root, timestamping=True),
    )


def _write(folder: Path, name: str, *parts: bytes) -> Path:
    path = folder / name
    path.write_bytes(b"".join(parts))
    return path


@pytest.fixture(scope="module")
def files(pki: Pki, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("pki")
    p12 = pkcs12.serialize_key_and_certificates(
        b"signer",
        pki.signer.key,  # type: ignore[arg-type]
        pki.signer.certificate,
        [pki.root.certificate],
        serialization.BestAvailableEncryption(PASSPHRASE.encode()),
    )
    return {
        "pem": _write(folder, "signer.pem", pki.signer.key_pem(), pki.signer.cert_pem()),
        "encrypted-key": _write(folder, "signer-key.pem", pki.signer.key_pem(PASSPHRASE)),
        "cert": _write(folder, "signer-cert.pem", pki.signer.cert_pem(), pki.root.cert_pem()),
        "p12": _write(folder, "signer.p12", p12),
        "passphrase": _write(folder, "passphrase.txt", PASSPHRASE.encode() + b"\n"),
        "root": _write(folder, "root.pem", pki.root.cert_pem()),
        "other-root": _write(folder, "other-root.pem", pki.other_root.cert_pem()),
        "stranger": _write(folder, "stranger.pem", pki.stranger.key_pem(), pki.stranger.cert_pem()),
        "self-signed": _write(
            folder, "self.pem", pki.self_signed.key_pem(), pki.self_signed.cert_pem()
        ),
    }


@pytest.fixture(scope="module")
def leaflet_pdf() -> bytes:
    return build(prepare(LIBRARY / "lisinopril.yaml", RenderOptions(as_of=TODAY))).pdf


@pytest.fixture(scope="module")
def signed(files: dict[str, Path], leaflet_pdf: bytes) -> bytes:
    return sign_pdf(leaflet_pdf, load_key(files["pem"]), SIGNED_AT)


def _check(pdf: bytes, *trust: Path) -> object:
    return check_pdf(pdf, options=CheckOptions(as_of=TODAY, trust=load_trust_roots(trust)))


def _rules(report: object) -> set[str]:
    return {f.rule for f in report.errors}  # type: ignore[attr-defined]


# -- signing and verifying ---------------------------------------------------------------------


def test_a_signed_leaflet_passes_check_and_names_its_signer(files, signed: bytes) -> None:
    report = _check(signed, files["root"])
    assert report.passed, [f.describe() for f in report.errors]
    (signature,) = report.signatures
    assert "Riverside Community Pharmacy" in signature.signer
    assert signature.signed_at == "2026-01-01T00:00:00Z"
    assert (signature.level, signature.trusted, signature.valid) == ("B-B", True, True)


def test_signing_adds_one_revision_and_changes_nothing_the_check_reads(
    leaflet_pdf: bytes, signed: bytes
) -> None:
    assert signed.startswith(leaflet_pdf)  # an incremental update: the verified bytes stay
    added = signed[len(leaflet_pdf) :]
    assert added.count(b"%%EOF") == 1
    for untouched in (b"/Producer", b"/Type /Metadata", b"/ModDate", b"xpacket"):
        assert untouched not in added
    plain = check_pdf(leaflet_pdf, options=CheckOptions(as_of=TODAY))
    again = check_pdf(signed, options=CheckOptions(as_of=TODAY))
    assert again.passed and again.metrics == plain.metrics and again.pages == plain.pages


def test_a_signed_leaflet_stays_pdfua(signed: bytes, tmp_path: Path) -> None:
    assert_pdfua(signed)
    reason = verapdf.unavailable_reason()
    if reason:
        pytest.skip(reason)
    path = _write(tmp_path, "signed.pdf", signed)
    results, output = verapdf.validate([path])
    assert [r.failed_rules for r in results] == [0], output


@pytest.mark.parametrize("kind", ["rsa", "ecdsa", "ed25519"])
def test_the_same_leaflet_key_and_time_give_the_same_bytes(
    pki: Pki, leaflet_pdf: bytes, tmp_path: Path, kind: str
) -> None:
    identity = pki.signer
    if kind == "ecdsa":
        identity = _identity("EC Pharmacy", pki.root, key=ec.generate_private_key(ec.SECP256R1()))
    if kind == "ed25519":
        identity = _identity("Ed Pharmacy", pki.root, key=ed25519.Ed25519PrivateKey.generate())
    path = _write(tmp_path, "key.pem", identity.key_pem(), identity.cert_pem())
    first = sign_pdf(leaflet_pdf, load_key(path))  # time from SOURCE_DATE_EPOCH
    assert first == sign_pdf(leaflet_pdf, load_key(path))
    assert _check(first, _write(tmp_path, "root.pem", pki.root.cert_pem())).passed


@pytest.mark.parametrize("kind", ["rsa", "ecdsa"])
def test_the_key_s_prepared_attributes_sign_what_pyhanko_alone_would(
    pki: Pki, leaflet_pdf: bytes, tmp_path: Path, kind: str
) -> None:
    """The signing-certificate-v2 attribute is made once per key (for speed): the signature
    must be byte for byte the one pyHanko makes when it builds the attribute afresh."""
    identity = pki.signer
    if kind == "ecdsa":
        identity = _identity("EC Pharmacy", pki.root, key=ec.generate_private_key(ec.SECP256R1()))
    key = load_key(_write(tmp_path, "key.pem", identity.key_pem(), identity.cert_pem()))
    prepared = sign_pdf(leaflet_pdf, key, SIGNED_AT)
    key.signer.signed_attr_prov_spec = None  # pyHanko's own PAdES attributes
    assert sign_pdf(leaflet_pdf, key, SIGNED_AT) == prepared


def test_pkcs12_with_a_passphrase_file_or_variable(files, monkeypatch) -> None:
    from_file = load_key(files["p12"], passphrase=Passphrase(file=files["passphrase"]))
    monkeypatch.setenv("RX_SIGNING_PASSPHRASE", PASSPHRASE)
    from_env = load_key(files["p12"], passphrase=Passphrase(environment="RX_SIGNING_PASSPHRASE"))
    assert from_file.certificate_sha256 == from_env.certificate_sha256
    encrypted = load_key(
        files["encrypted-key"],
        certificates=files["cert"],
        passphrase=Passphrase(file=files["passphrase"]),
    )
    assert encrypted.certificate_sha256 == from_file.certificate_sha256
    assert PASSPHRASE not in repr(encrypted)


@pytest.mark.parametrize(
    ("key", "passphrase", "message"),
    [
        ("p12", None, "cannot open the PKCS#12 key: wrong passphrase"),
        ("encrypted-key", None, "the key is encrypted: give its passphrase"),
        ("encrypted-key", "wrong", "wrong passphrase"),
        ("root", None, "no PEM private key"),
    ],
)
def test_unusable_keys_are_refused_clearly(files, tmp_path, key, passphrase, message) -> None:
    secret = Passphrase(file=_write(tmp_path, "pw", passphrase.encode())) if passphrase else None
    with pytest.raises(SigningError) as refused:
        load_key(files[key], certificates=files["cert"], passphrase=secret or Passphrase())
    assert message in str(refused.value)
    assert PASSPHRASE not in str(refused.value) and "wrong" not in str(refused.value).split(":")[0]


def test_a_key_without_its_certificate_is_refused(pki: Pki, tmp_path: Path) -> None:
    path = _write(tmp_path, "key-only.pem", pki.signer.key_pem(), pki.root.cert_pem())
    with pytest.raises(SigningError, match="no certificate for this key"):
        load_key(path)


# -- tampering ---------------------------------------------------------------------------------


def _object_stream_span(pdf: bytes, marker: bytes) -> tuple[int, int]:
    """Where the data of the first stream whose dictionary holds ``marker`` lies."""
    at = pdf.index(marker)
    start = pdf.index(b"stream", at) + len(b"stream\r\n")
    return start, pdf.index(b"endstream", start)


def _flip(pdf: bytes, position: int) -> bytes:
    return pdf[:position] + bytes([pdf[position] ^ 0x01]) + pdf[position + 1 :]


def test_a_changed_byte_of_the_page_is_caught(files, signed: bytes) -> None:
    from pypdf import PdfReader

    page = PdfReader(io.BytesIO(signed)).pages[0]
    number = page.raw_get("/Contents").idnum
    start, end = _object_stream_span(signed, f"\n{number} 0 obj".encode())
    report = _check(_flip(signed, (start + end) // 2), files["root"])
    assert {"signature", "signature-trust"} <= _rules(report)
    assert any("changed after signing" in f.message for f in report.errors)


def test_a_changed_byte_of_the_embedded_source_is_caught(files, signed: bytes) -> None:
    start, end = _object_stream_span(signed, b"/EmbeddedFile")
    report = _check(_flip(signed, (start + end) // 2))
    assert "signature" in _rules(report)
    assert any("changed after signing" in f.message for f in report.errors)


def test_an_update_appended_after_signing_is_caught(files, signed: bytes) -> None:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    page["/Contents"] = writer.add_object(generic.StreamObject(stream_data=b"BT ET"))
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    report = _check(out.getvalue(), files["root"])
    assert {"signature", "signature-trust"} <= _rules(report)
    assert any("changed after it was signed" in f.message for f in report.errors)


def test_a_garbled_signature_is_an_error_not_a_crash(files, signed: bytes) -> None:
    start = signed.rindex(b"/Contents <") + len(b"/Contents <")
    end = signed.index(b">", start)
    garbled = signed[:start] + b"3082" + b"0" * (end - start - 4) + signed[end:]
    report = _check(garbled, files["root"])
    assert {"signature", "signature-trust"} <= _rules(report)
    assert any("cannot be" in f.message for f in report.errors)


# -- trust and expiry --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "why"),
    [
        ("unsigned", "the PDF is not signed"),
        ("stranger", "whose certificate chains to none of them"),
        ("self-signed", "whose certificate chains to none of them"),
    ],
)
def test_trust_requires_a_signature_chaining_to_a_given_root(
    files, leaflet_pdf: bytes, who: str, why: str
) -> None:
    pdf = leaflet_pdf if who == "unsigned" else sign_pdf(leaflet_pdf, load_key(files[who]))
    quiet = _check(pdf)  # without --trust an untrusted signature is reported, not refused
    assert quiet.passed
    report = _check(pdf, files["root"])
    assert _rules(report) == {"signature-trust"}
    assert why in report.errors[0].message
    assert _check(pdf, files["other-root"]).passed == (who == "stranger")


def test_an_expired_certificate_is_a_clear_finding(pki: Pki, leaflet_pdf, tmp_path) -> None:
    path = _write(tmp_path, "expired.pem", pki.expired.key_pem(), pki.expired.cert_pem())
    with pytest.raises(SigningError, match="expired on 2021-01-01; renew it"):
        load_key(path)
    while_valid = dt.datetime(2020, 6, 1, tzinfo=dt.UTC)
    pdf = sign_pdf(leaflet_pdf, load_key(path, now=while_valid), while_valid)
    report = _check(pdf)
    assert _rules(report) == {"signature"}
    assert "certificate (" in report.errors[0].message
    assert "expired on 2021-01-01" in report.errors[0].message


def test_a_signing_time_outside_the_certificate_is_refused(pki, files, leaflet_pdf) -> None:
    with pytest.raises(SigningError, match="outside the certificate's validity"):
        sign_pdf(leaflet_pdf, load_key(files["pem"]), dt.datetime(2019, 1, 1, tzinfo=dt.UTC))


def test_every_signature_rule_fires_in_a_test_here() -> None:
    source = Path(__file__).read_text(encoding="utf-8")
    for rule in SIGNATURE_RULE_IDS:
        assert f'"{rule}"' in source.split("def test_every_signature_rule")[0]


# -- B-T with a timestamp server on loopback ---------------------------------------------------


@pytest.fixture(scope="module")
def timestamp_server(pki: Pki) -> Iterator[str]:
    from asn1crypto import keys, tsp
    from asn1crypto import x509 as asn1_x509
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

    stamper = DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(
            pki.tsa.certificate.public_bytes(serialization.Encoding.DER)
        ),
        tsa_key=keys.PrivateKeyInfo.load(
            pki.tsa.key.private_bytes(  # type: ignore[attr-defined]
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        ),
        fixed_dt=dt.datetime(2026, 1, 1, 0, 0, 5, tzinfo=dt.UTC),
    )

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            request = tsp.TimeStampReq.load(self.rfile.read(int(self.headers["Content-Length"])))
            answer = stamper.request_tsa_response(request).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_b_t_signature_carries_a_trusted_timestamp(files, leaflet_pdf, timestamp_server) -> None:
    key = load_key(files["pem"], timestamp_url=timestamp_server)
    pdf = sign_pdf(leaflet_pdf, key)
    report = _check(pdf, files["root"])
    assert report.passed, [f.describe() for f in report.errors]
    (signature,) = report.signatures
    assert (signature.level, signature.timestamp) == ("B-T", "2026-01-01T00:00:05Z")


def test_an_unreachable_timestamp_server_is_a_clear_refusal(files, leaflet_pdf) -> None:
    key = load_key(files["pem"], timestamp_url="http://127.0.0.1:9/")
    with pytest.raises(SigningError, match="timestamp"):
        sign_pdf(leaflet_pdf, key)


# -- the command line, batch and serve ---------------------------------------------------------


def test_render_signs_and_check_reports_who_and_when(files, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "lisinopril.pdf"
    done = runner.invoke(
        main,
        ["render", "lisinopril", "--library", str(LIBRARY), "--as-of", TODAY.isoformat(),
         "-o", str(out), "--sign", str(files["p12"]), "--sign-passphrase-env", "RX_PASS"],
        env={"RX_PASS": PASSPHRASE},
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    checked = runner.invoke(
        main,
        ["check", str(out), "--trust", str(files["root"]), "--as-of", TODAY.isoformat(),
         "--format", "json"],
    )  # fmt: skip
    assert checked.exit_code == 0, checked.output
    (signature,) = json.loads(checked.output)["files"][0]["signatures"]
    assert "Riverside Community Pharmacy" in signature["signer"]
    assert signature["signed_at"] == "2026-01-01T00:00:00Z"
    text = runner.invoke(main, ["check", str(out), "--as-of", TODAY.isoformat()]).output
    assert "signed  valid B-B signature by" in text and "at 2026-01-01T00:00:00Z" in text


def test_render_with_a_wrong_passphrase_writes_nothing_and_shows_no_secret(
    files, tmp_path: Path
) -> None:
    out = tmp_path / "lisinopril.pdf"
    done = CliRunner().invoke(
        main,
        ["render", "lisinopril", "--library", str(LIBRARY), "-o", str(out),
         "--sign", str(files["p12"]), "--sign-passphrase-env", "RX_PASS"],
        env={"RX_PASS": "not the passphrase"},
    )  # fmt: skip
    assert done.exit_code == 1
    assert "wrong passphrase" in done.output and "not the passphrase" not in done.output
    assert not out.exists()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--sign-passphrase-env", "X"], "need(s) --sign KEY"),
        (["--sign", "k.p12", "--sign-passphrase-env", "X", "--sign-passphrase-file", "f"],
         "not both"),
        (["--sign", "k.p12", "--timestamp-url", "ftp://tsa"], "http:// or https://"),
    ],
)  # fmt: skip
def test_signing_usage_errors_exit_2(options: list[str], message: str) -> None:
    done = CliRunner().invoke(main, ["render", "lisinopril", "--library", str(LIBRARY), *options])
    assert done.exit_code == 2 and message in done.output


def test_batch_signs_every_leaflet_and_keeps_secrets_out_of_the_manifest(
    files, tmp_path: Path
) -> None:
    source = tmp_path / "in"
    source.mkdir()
    for name in ("lisinopril.yaml", "metformin.yaml"):
        (source / name).write_bytes((LIBRARY / name).read_bytes())
    out = tmp_path / "out"
    combined = tmp_path / "print.pdf"
    done = CliRunner().invoke(
        main,
        ["batch", str(source), "-o", str(out), "--jobs", "2", "--as-of", TODAY.isoformat(),
         "--sign", str(files["p12"]), "--sign-passphrase-file", str(files["passphrase"]),
         "--combine", str(combined)],
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    manifest = (out / "manifest.json").read_text(encoding="utf-8")
    assert PASSPHRASE not in manifest and PASSPHRASE not in done.output
    assert "signer.p12" not in manifest and "passphrase.txt" not in manifest
    assert json.loads(manifest)["options"]["signature_level"] == "B-B"
    made = sorted(out.glob("*.pdf"))
    assert len(made) == 2
    for pdf in [*made, combined]:
        report = _check(pdf.read_bytes(), files["root"])
        assert report.passed, [f.describe() for f in report.errors]


def test_serve_signs_what_it_serves(files) -> None:
    from starlette.testclient import TestClient

    from rxleaflet.serve import ServeConfig, create_app

    app = create_app(
        ServeConfig(library=str(LIBRARY), as_of=TODAY.isoformat()), load_key(files["pem"])
    )
    client = TestClient(app, base_url="http://localhost")
    response = client.post("/v1/render", json={"leaflet": "lisinopril"})
    assert response.status_code == 200
    report = _check(response.content, files["root"])
    assert report.passed and report.signatures[0].trusted
