"""TLS and mTLS on ``charter serve`` (--tls-cert/--tls-key/--tls-ca), with a throwaway CA made here
with ``cryptography``: HTTPS verified with the CA and refused without it; with --tls-ca a client
without a certificate (or with one from another CA) is refused; a certificate's CN logs in a users
file user marked ``cert_cn``, and only that kind of user.
"""

from __future__ import annotations

import datetime
import ipaddress
import ssl
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from support.process import V1, RegistryProcess

from charter.registry.auth.users import add_user

PEM = serialization.Encoding.PEM


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


class Authority:
    """A throwaway CA that writes PEM files into a directory."""

    def __init__(self, directory: Path, name: str) -> None:
        self.dir = directory / name  # each authority's files apart
        self.dir.mkdir(parents=True, exist_ok=True)
        self.key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.datetime.now(datetime.UTC)
        self.cert = (
            x509.CertificateBuilder().subject_name(_name(name)).issuer_name(_name(name))
            .public_key(self.key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
            .sign(self.key, hashes.SHA256())
        )
        self.ca_path = self.dir / "ca.pem"
        self.ca_path.write_bytes(self.cert.public_bytes(PEM))

    def issue(self, cn: str, server: bool = False) -> tuple[str, str]:
        """A leaf certificate (server: for 127.0.0.1 and localhost); returns (cert path, key path)."""
        key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.datetime.now(datetime.UTC)
        usage = ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH
        builder = (
            x509.CertificateBuilder().subject_name(_name(cn)).issuer_name(self.cert.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        )
        if server:
            builder = builder.add_extension(x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        cert_path, key_path = self.dir / f"{cn}.crt", self.dir / f"{cn}.key"
        cert_path.write_bytes(builder.sign(self.key, hashes.SHA256()).public_bytes(PEM))
        key_path.write_bytes(key.private_bytes(PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        return str(cert_path), str(key_path)


def context(ca: Path | None = None, client: tuple[str, str] | None = None) -> ssl.SSLContext:
    """A client context trusting ``ca`` (the system CAs if None), presenting ``client`` if given."""
    ctx = ssl.create_default_context(cafile=str(ca) if ca else None)
    if client:
        ctx.load_cert_chain(*client)
    return ctx


class TlsRegistry(RegistryProcess):
    """``charter serve`` over HTTPS; ready once it answers through the given client context."""

    def __init__(self, data_dir: Path, ready: ssl.SSLContext, extra: list[str]) -> None:
        super().__init__(data_dir, extra=extra)
        self.ready = self.verify = ready

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"


@pytest.fixture
def ca(tmp_path: Path) -> Authority:
    return Authority(tmp_path, "test-ca")


def refused(url: str, verify: ssl.SSLContext | bool) -> bool:
    try:
        httpx.get(url + "/subjects", verify=verify, timeout=5)
    except httpx.HTTPError:  # handshake failure, or the connection closed on the first read
        return True
    return False


def test_https_verified_with_the_ca_and_refused_without(tmp_path: Path, ca: Authority) -> None:
    cert, key = ca.issue("localhost", server=True)
    server = TlsRegistry(tmp_path / "data", context(ca.ca_path), ["--tls-cert", cert, "--tls-key", key]).start()
    try:
        trusted = context(ca.ca_path)
        r = httpx.post(f"{server.url}/subjects/tls/versions", verify=trusted, headers={"Content-Type": V1},
                       json={"schema": '"string"'}, timeout=5)
        assert r.status_code == 200 and r.json()["id"] == 1
        assert httpx.get(f"{server.url}/schemas/ids/1", verify=trusted, timeout=5).json()["schema"] == '"string"'
        assert refused(server.url, context())  # system CAs only: the certificate does not verify
        assert refused(server.url, context(Authority(tmp_path, "other-ca").ca_path))
        assert refused(f"http://127.0.0.1:{server.port}", False)  # plain HTTP on the TLS port
    finally:
        server.stop()


def test_mtls_requires_a_client_certificate_from_the_ca(tmp_path: Path, ca: Authority) -> None:
    cert, key = ca.issue("localhost", server=True)
    client = ca.issue("app1")
    stranger = Authority(tmp_path, "other-ca").issue("app1")
    server = TlsRegistry(tmp_path / "data", context(ca.ca_path, client),
                         ["--tls-cert", cert, "--tls-key", key, "--tls-ca", str(ca.ca_path)]).start()
    try:
        assert refused(server.url, context(ca.ca_path))  # no client certificate
        assert refused(server.url, context(ca.ca_path, stranger))  # signed by another CA
        r = httpx.get(f"{server.url}/subjects", verify=context(ca.ca_path, client), timeout=5)
        assert r.status_code == 200 and r.json() == []  # no users file: the certificate is enough
    finally:
        server.stop()


def test_a_certificate_cn_logs_in_a_cert_cn_user_only(tmp_path: Path, ca: Authority) -> None:
    users = tmp_path / "users.json"
    add_user(users, "app1", None, [{"subject": "*", "role": "read"}], cert_cn=True)
    add_user(users, "ci", None, [{"subject": "orders-*", "role": "write"}], cert_cn=True)
    add_user(users, "alice", "s3cret", [{"subject": "*", "role": "admin"}])  # password only
    cert, key = ca.issue("localhost", server=True)
    app1, ci, alice, nobody = ca.issue("app1"), ca.issue("ci"), ca.issue("alice"), ca.issue("nobody")
    server = TlsRegistry(tmp_path / "data", context(ca.ca_path, app1),
                         ["--tls-cert", cert, "--tls-key", key, "--tls-ca", str(ca.ca_path),
                          "--users-file", str(users)]).start()

    def call(client: tuple[str, str], method: str, path: str, **kw: object) -> httpx.Response:
        return httpx.request(method, server.url + path, verify=context(ca.ca_path, client), timeout=10,
                             headers={"Content-Type": V1}, **kw)  # type: ignore[arg-type]

    body = {"schema": '"string"'}
    try:
        assert call(app1, "GET", "/subjects").status_code == 200  # CN app1 is the read user app1
        denied = call(app1, "POST", "/subjects/orders-value/versions", json=body)
        assert denied.status_code == 403 and "app1" in denied.json()["message"]
        assert call(ci, "POST", "/subjects/orders-value/versions", json=body).json()["id"] == 1
        assert call(ci, "POST", "/subjects/payments-value/versions", json=body).status_code == 403
        # a CN naming a password user, or no user, authenticates no one
        for client in (alice, nobody):
            r = call(client, "GET", "/subjects")
            assert r.status_code == 401 and r.json()["error_code"] == 40101, r.text
        # HTTP Basic still works on an mTLS connection, whatever the certificate's CN
        r = call(nobody, "DELETE", "/subjects/orders-value", auth=("alice", "s3cret"))
        assert r.status_code == 200 and r.json() == [1]
        assert call(nobody, "GET", "/").status_code == 200  # / stays open
    finally:
        server.stop()
