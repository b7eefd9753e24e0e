"""A throw-away PKI for the test broker's TLS listeners, made with ``cryptography`` (PEM files).

:func:`make_pki` writes into one folder: a test CA, a broker certificate signed by it (SAN
``127.0.0.1`` and ``localhost``) with its key in one PEM file (Kafka's ``ssl.keystore.type=PEM``),
a client certificate and key for mTLS, and a second, *untrusted* CA with a client certificate of its
own, for tests that must be refused. Keys are EC P-256 (fast to make) and unencrypted.
"""

from __future__ import annotations

import datetime
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


@dataclass(frozen=True)
class Pki:
    """Paths of the PEM files :func:`make_pki` wrote."""

    ca_pem: Path
    broker_keystore_pem: Path  # the broker's key, then its certificate (Kafka's PEM keystore)
    client_cert_pem: Path
    client_key_pem: Path
    untrusted_ca_pem: Path
    untrusted_client_cert_pem: Path
    untrusted_client_key_pem: Path


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Charter tests"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _cert_pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _builder(subject: str, issuer: x509.Name, key: ec.EllipticCurvePrivateKey) -> x509.CertificateBuilder:
    now = datetime.datetime.now(datetime.UTC)
    return (x509.CertificateBuilder().subject_name(_name(subject)).issuer_name(issuer)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=30)))


def _ca(common_name: str) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = _key()
    cert = (_builder(common_name, _name(common_name), key)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                         content_commitment=False, key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    return cert, key


def _leaf(common_name: str, ca: x509.Certificate, ca_key: ec.EllipticCurvePrivateKey, *, server: bool
          ) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = _key()
    usages = [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH] if server \
        else [ExtendedKeyUsageOID.CLIENT_AUTH]
    builder = (_builder(common_name, ca.subject, key)
               .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
               .add_extension(x509.ExtendedKeyUsage(usages), critical=False)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False))
    if server:
        builder = builder.add_extension(x509.SubjectAlternativeName(
            [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
    return builder.sign(ca_key, hashes.SHA256()), key


def make_pki(folder: Path) -> Pki:
    """Write the CA, broker, client and untrusted-client PEM files into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    ca, ca_key = _ca("Charter test CA")
    broker, broker_key = _leaf("localhost", ca, ca_key, server=True)
    client, client_key = _leaf("charter-client", ca, ca_key, server=False)
    other_ca, other_key = _ca("Untrusted test CA")
    stranger, stranger_key = _leaf("stranger", other_ca, other_key, server=False)
    pki = Pki(folder / "ca.pem", folder / "broker-keystore.pem", folder / "client.pem", folder / "client.key",
              folder / "untrusted-ca.pem", folder / "untrusted-client.pem", folder / "untrusted-client.key")
    pki.ca_pem.write_bytes(_cert_pem(ca))
    pki.broker_keystore_pem.write_bytes(_key_pem(broker_key) + _cert_pem(broker))
    pki.client_cert_pem.write_bytes(_cert_pem(client))
    pki.client_key_pem.write_bytes(_key_pem(client_key))
    pki.untrusted_ca_pem.write_bytes(_cert_pem(other_ca))
    pki.untrusted_client_cert_pem.write_bytes(_cert_pem(stranger))
    pki.untrusted_client_key_pem.write_bytes(_key_pem(stranger_key))
    for path in (pki.broker_keystore_pem, pki.client_key_pem, pki.untrusted_client_key_pem):
        path.chmod(0o600)
    return pki
