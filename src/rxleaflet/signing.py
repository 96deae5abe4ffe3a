"""Sign verified leaflets (PAdES baseline B-B, or B-T with a timestamp server) with pyHanko.

A pharmacy or content vendor signs every leaflet it makes, so that a reviewer holding only the
PDF can tell who made it and that nothing changed since. Signing comes after verification and
adds one incremental revision (an invisible signature field, its signature dictionary and the
catalog's /AcroForm), so everything the check reads is as verified.

The key is loaded once (``load_key``) and used for many leaflets (``sign_pdf``). Passphrases
come from a file or an environment variable, never from the command line, and neither they nor
the key ever appear in a message. pyHanko is imported with this module: import it only to sign.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asn1crypto import keys, tsp, x509
from cryptography import x509 as pyca_x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import attributes, fields, signers
from pyhanko.sign.general import SigningError as HankoError
from pyhanko.sign.general import as_signing_certificate_v2, get_pyca_cryptography_hash
from pyhanko.sign.signers import PdfSigner, SimpleSigner
from pyhanko.sign.signers.pdf_cms import SignedAttributeProviderSpec
from pyhanko.sign.timestamps import HTTPTimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore

from .errors import SigningError
from .files import read_or_refuse

MAX_KEY_BYTES = 1_000_000
MAX_PASSPHRASE_BYTES = 4096
FIELD_NAME = "RxLeafletSignature"
FIELD_DESCRIPTION = "Digital signature of the leaflet's maker (not shown on the page)"
TIMESTAMP_SECONDS = 30
# The signature container holds the certificates, the signed attributes and the signature (at
# most 1,024 bytes for RSA-8192), and with B-T the server's token with its own certificates.
# Reserving this much up front saves pyHanko signing twice (once to measure): a third of the time.
CONTAINER_OVERHEAD = 4096
TIMESTAMP_TOKEN_BYTES = 12_288


@dataclass(frozen=True)
class Passphrase:
    """Where the key's passphrase comes from: a file, or an environment variable (by name)."""

    file: Path | None = None
    environment: str | None = None

    def read(self) -> bytes | None:
        if self.file is not None:
            data = read_or_refuse(
                self.file, MAX_PASSPHRASE_BYTES, what="passphrase file", error=SigningError
            )
            return data.rstrip(b"\r\n")
        if self.environment is not None:
            value = os.environ.get(self.environment)
            if value is None:
                raise SigningError(
                    f"the environment variable {self.environment} (--sign-passphrase-env) is not "
                    "set; set it to the key's passphrase"
                )
            return value.encode("utf-8")
        return None


@dataclass(frozen=True)
class SigningKey:
    """A loaded signing key and its certificate chain, ready to sign any number of leaflets."""

    signer: Any  # pyhanko SimpleSigner
    subject: str  # the signer's certificate subject, as people read it
    certificate_sha256: str  # names the certificate (public) in manifests
    not_before: dt.datetime
    not_after: dt.datetime
    reserve: int  # bytes kept for the signature container: enough for the chain and signature
    digest: str | None  # SHA-256 for RSA and ECDSA; None: the one the key's algorithm fixes
    timestamp_url: str | None = None

    @property
    def level(self) -> str:
        return "B-T" if self.timestamp_url else "B-B"

    def __repr__(self) -> str:  # never the key, whatever prints this object
        return f"SigningKey({self.subject!r}, {self.level})"

    def __reduce__(self) -> Any:
        raise TypeError("a signing key is not pickled: load it in each process")


def load_key(
    path: Path,
    *,
    certificates: Path | None = None,
    passphrase: Passphrase = Passphrase(),
    timestamp_url: str | None = None,
    now: dt.datetime | None = None,
) -> SigningKey:
    """The key in ``path``: PKCS#12 (.p12/.pfx), or PEM with the private key, its certificate
    and chain in the same file or in ``certificates``. Refused (SigningError) when it cannot be
    read or decrypted, when no certificate matches the key, or when the certificate is not valid
    ``now``."""

    data = read_or_refuse(path, MAX_KEY_BYTES, what="signing key", error=SigningError)
    secret = passphrase.read()
    chain: list[pyca_x509.Certificate] = []
    if b"-----BEGIN" in data:
        key = _pem_key(data, secret, path)
        chain += _pem_certificates(data)
    else:
        try:
            key, certificate, extra = pkcs12.load_key_and_certificates(data, secret)
        except ValueError:
            raise SigningError(
                "cannot open the PKCS#12 key: wrong passphrase, or not a PKCS#12 file; give the "
                "passphrase with --sign-passphrase-file or --sign-passphrase-env",
                path=path,
            ) from None
        if key is None:
            raise SigningError("the PKCS#12 file holds no private key", path=path)
        chain += [c for c in (certificate, *extra) if c is not None]
    if certificates is not None:
        pem = read_or_refuse(
            certificates, MAX_KEY_BYTES, what="certificate file", error=SigningError
        )
        chain += _pem_certificates(pem) or _der_certificate(pem, certificates)
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    own = [
        c
        for c in chain
        if c.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        == public
    ]
    if not own:
        raise SigningError(
            "no certificate for this key: give its certificate in the same file or with "
            "--sign-cert FILE",
            path=path,
        )
    certificate = own[0]
    moment = now or dt.datetime.now(dt.UTC)
    if moment > certificate.not_valid_after_utc:
        raise SigningError(
            f"the signing certificate ({certificate.subject.rfc4514_string()}) expired on "
            f"{certificate.not_valid_after_utc:%Y-%m-%d}; renew it",
            path=path,
        )
    if moment < certificate.not_valid_before_utc:
        raise SigningError(
            f"the signing certificate is not valid before "
            f"{certificate.not_valid_before_utc:%Y-%m-%d %H:%M} UTC",
            path=path,
        )
    return SigningKey(
        signer=_simple_signer(key, certificate, [c for c in chain if c is not certificate]),
        subject=certificate.subject.rfc4514_string(),
        certificate_sha256=hashlib.sha256(
            certificate.public_bytes(serialization.Encoding.DER)
        ).hexdigest(),
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
        reserve=_even(
            CONTAINER_OVERHEAD
            + sum(len(c.public_bytes(serialization.Encoding.DER)) for c in chain)
            + (TIMESTAMP_TOKEN_BYTES if timestamp_url else 0)
        ),
        digest="sha256" if isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey)
        else None,
        timestamp_url=timestamp_url,
    )


def _even(size: int) -> int:
    return size + size % 2  # pyHanko reserves whole bytes written as pairs of hex digits


def _pem_key(data: bytes, secret: bytes | None, path: Path) -> Any:

    try:
        return serialization.load_pem_private_key(data, secret)
    except TypeError:
        if secret is None:
            raise SigningError(
                "the key is encrypted: give its passphrase with --sign-passphrase-file FILE or "
                "--sign-passphrase-env NAME",
                path=path,
            ) from None
        raise SigningError(
            "the key is not encrypted, but a passphrase was given; give none", path=path
        ) from None
    except ValueError:
        raise SigningError(
            "cannot read the private key: wrong passphrase, or no PEM private key in the file",
            path=path,
        ) from None
    except Exception:  # noqa: BLE001 - cryptography's unsupported-algorithm errors and the like
        raise SigningError("cannot use this private key (unsupported kind)", path=path) from None


def _pem_certificates(data: bytes) -> list[Any]:

    if b"-----BEGIN CERTIFICATE-----" not in data:
        return []
    try:
        return pyca_x509.load_pem_x509_certificates(data)
    except ValueError:
        raise SigningError("a certificate in the PEM file cannot be read") from None


def _der_certificate(data: bytes, path: Path) -> list[Any]:

    try:
        return [pyca_x509.load_der_x509_certificate(data)]
    except ValueError:
        raise SigningError("no certificate (PEM or DER) in this file", path=path) from None


def _simple_signer(key: Any, certificate: Any, others: list[Any]) -> Any:
    """pyHanko's signer for a key and certificates read with cryptography."""

    def asn1(cert: Any) -> x509.Certificate:
        return x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))

    private = keys.PrivateKeyInfo.load(
        key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return _LoadedSigner(
        key,
        signing_cert=asn1(certificate),
        signing_key=private,
        cert_registry=SimpleCertificateStore.from_certs([asn1(c) for c in others]),
    )


class _LoadedSigner(SimpleSigner):
    """pyHanko's SimpleSigner re-reads (and re-validates) the private key for every signature,
    some 70 ms for RSA-2048: this one keeps the key it was given, and the signed attribute that
    names its certificate. ECDSA signs deterministically (RFC 6979), as RSA PKCS#1 v1.5 and
    Ed25519 do by nature, so the same input gives the same signature."""

    def __init__(self, key: Any, **kwargs: Any):
        super().__init__(**kwargs)
        self._key = key
        self.signed_attr_prov_spec = _PadesSignedAttributes(self.signing_cert)

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        digest = get_pyca_cryptography_hash(digest_algorithm)
        if mechanism == "rsassa_pkcs1v15" and isinstance(self._key, rsa.RSAPrivateKey):
            return self._key.sign(data, padding.PKCS1v15(), digest)
        if mechanism == "ecdsa" and isinstance(self._key, ec.EllipticCurvePrivateKey):
            return self._key.sign(data, ec.ECDSA(digest, deterministic_signing=True))
        if mechanism == "ed25519" and isinstance(self._key, ed25519.Ed25519PrivateKey):
            return self._key.sign(data)
        return super().sign_raw(data, digest_algorithm)


class _PadesSignedAttributes(SignedAttributeProviderSpec):
    """The signed attributes pyHanko gives a PAdES signature (besides content type and message
    digest, which it adds itself): only signing-certificate-v2, no signing time (PAdES puts the
    time in the signature dictionary). That attribute depends on the certificate alone, so it
    is made once per key; made afresh, asn1crypto re-encodes it at every step of assembling
    the signature: some 35 ms of each signature's 47 ms, for the same bytes."""

    def __init__(self, certificate: x509.Certificate):
        made = as_signing_certificate_v2(certificate)
        self._value = tsp.SigningCertificateV2.load(made.dump())

    def signed_attr_providers(self, data_digest: bytes, digest_algorithm: str) -> Any:
        yield _Fixed("signing_certificate_v2", self._value)


class _Fixed(attributes.CMSAttributeProvider):
    """A signed attribute whose value is known before signing."""

    def __init__(self, attribute_type: str, value: Any):
        self.attribute_type = attribute_type
        self._value = value

    async def build_attr_value(self, dry_run: bool = False) -> Any:
        return self._value


def signing_time() -> dt.datetime:
    """SOURCE_DATE_EPOCH when set (reproducible output), else now."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is not None and epoch.strip().isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def sign_pdf(pdf: bytes, key: SigningKey, when: dt.datetime | None = None) -> bytes:
    """``pdf`` with a PAdES signature appended as one incremental update: B-B, or B-T when the
    key has a timestamp server. Without a server the result depends only on ``pdf``, the key and
    ``when`` (default: ``signing_time()``)."""

    when = when or signing_time()
    if not key.not_before <= when <= key.not_after:
        raise SigningError(
            f"the signing time {when:%Y-%m-%d %H:%M} UTC (from SOURCE_DATE_EPOCH, when set) is "
            f"outside the certificate's validity ({key.not_before:%Y-%m-%d} to "
            f"{key.not_after:%Y-%m-%d}); set SOURCE_DATE_EPOCH to a time inside it, or unset it"
        )
    writer = _Revision(pdf, seed=pdf + key.certificate_sha256.encode() + when.isoformat().encode())
    timestamper = None
    if key.timestamp_url:
        timestamper = HTTPTimeStamper(key.timestamp_url, timeout=TIMESTAMP_SECONDS)
    _add_tagged_field(writer)
    signer = _AtTime(
        signers.PdfSignatureMetadata(
            field_name=FIELD_NAME,
            md_algorithm=key.digest,
            subfilter=fields.SigSeedSubFilter.PADES,
        ),
        signer=key.signer,
        timestamper=timestamper,
        when=when,
    )
    try:
        output = signer.sign_pdf(writer, existing_fields_only=True, bytes_reserved=key.reserve)
        return output.getvalue()
    except HankoError as error:
        raise SigningError(f"cannot sign: {_reason(error, key)}") from None
    except OSError as error:  # the timestamp server cannot be reached
        raise SigningError(
            f"cannot get a timestamp from {key.timestamp_url}: {error.strerror or error}"
        ) from None


def _reason(error: Exception, key: SigningKey) -> str:
    text = str(error)
    if key.timestamp_url and "imestamp" in text:
        return f"the timestamp server {key.timestamp_url} did not answer usefully ({text})"
    return text


class _Revision(IncrementalPdfFileWriter):
    """The signature's revision: nothing but the signature. pyHanko would also rewrite the
    document information and XMP metadata (its name as producer, the clock's time as ModDate)
    and give the file a random second /ID: that would change what the check reads and make
    the output differ from run to run."""

    def __init__(self, pdf: bytes, seed: bytes):
        super().__init__(io.BytesIO(pdf), strict=True)
        first = self.document_id[0]
        self._document_id = generic.ArrayObject(
            [generic.ByteStringObject(first), generic.ByteStringObject(_digest16(seed))]
        )

    def _update_meta(self) -> None:
        pass  # the metadata stays as rxleaflet wrote and verified it


def _add_tagged_field(writer: IncrementalPdfFileWriter) -> None:
    """The invisible signature field on page 1, tagged for PDF/UA-1: its widget sits in a
    /Form structure element (appended to the document element, reached through the parent
    tree) and the field has a /TU description, as assistive technology expects of any field."""
    page_ref = writer.find_page_for_modification(0)[0]
    fields.append_signature_field(writer, fields.SigFieldSpec(FIELD_NAME, on_page=0, box=None))
    field_list = writer.root["/AcroForm"]["/Fields"]
    field_ref = field_list.raw_get(len(field_list) - 1)  # references, not the objects
    widget = field_ref.get_object()
    widget["/TU"] = generic.TextStringObject(FIELD_DESCRIPTION)
    tree = writer.root["/StructTreeRoot"]
    kids = tree["/K"]
    document_ref = kids.raw_get(0) if isinstance(kids, generic.ArrayObject) else tree.raw_get("/K")
    document = document_ref.get_object()
    key = int(tree.get("/ParentTreeNextKey", 0))
    form_ref = writer.add_object(
        generic.DictionaryObject(
            {
                generic.pdf_name("/Type"): generic.pdf_name("/StructElem"),
                generic.pdf_name("/S"): generic.pdf_name("/Form"),
                generic.pdf_name("/P"): document_ref,
                generic.pdf_name("/Lang"): generic.TextStringObject("en"),
                generic.pdf_name("/Alt"): generic.TextStringObject(FIELD_DESCRIPTION),
                generic.pdf_name("/K"): generic.ArrayObject(
                    [
                        generic.DictionaryObject(
                            {
                                generic.pdf_name("/Type"): generic.pdf_name("/OBJR"),
                                generic.pdf_name("/Obj"): field_ref,
                                generic.pdf_name("/Pg"): page_ref,
                            }
                        )
                    ]
                ),
            }
        )
    )
    widget["/StructParent"] = generic.NumberObject(key)
    writer.update_container(widget)
    children = document.get("/K")
    if isinstance(children, generic.ArrayObject):
        children.append(form_ref)
    else:
        document["/K"] = generic.ArrayObject([*([children] if children else []), form_ref])
    writer.update_container(document)
    parents = tree["/ParentTree"]
    parents["/Nums"].extend([generic.NumberObject(key), form_ref])
    writer.update_container(parents)
    tree["/ParentTreeNextKey"] = generic.NumberObject(key + 1)
    writer.update_container(tree)


def _digest16(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()[:16]


class _AtTime(PdfSigner):
    """pyHanko's signer, with the signing time given rather than read from the clock."""

    def __init__(self, *args: Any, when: dt.datetime, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.when = when

    def init_signing_session(self, pdf_out: Any, existing_fields_only: bool = False) -> Any:
        session = super().init_signing_session(pdf_out, existing_fields_only)
        session.system_time = self.when
        return session
