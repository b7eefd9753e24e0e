"""The users file: who may call Charter, with which password hash and which grants.

A JSON file::

    {"users": {
        "alice": {"password": "$argon2id$...", "acl": [{"subject": "*", "role": "admin"}]},
        "ci":    {"password": "$argon2id$...", "acl": [{"subject": "orders-*", "role": "write"}]},
        "app1":  {"cert_cn": true, "acl": [{"subject": "*", "role": "read"}]}
    }}

``password`` is an argon2id hash (argon2-cffi: salted, memory-hard); ``charter passwd`` writes
entries. ``cert_cn: true`` lets a verified client certificate whose CN equals the user name
authenticate as that user (mTLS, with ``--tls-ca``). Roles are ordered read < write < admin.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from charter.registry.auth.acl import ROLES, Grant

_HASHER = PasswordHasher()
# Verified against when the user is unknown, so that unknown users cost the same time as known ones.
_DUMMY_HASH = _HASHER.hash("charter-dummy-password")
_CACHE_KEY = os.urandom(32)


class UsersFileError(ValueError):
    """The users file is missing, unreadable or malformed."""


@dataclass(frozen=True)
class User:
    name: str
    password_hash: str | None
    grants: tuple[Grant, ...] = field(default_factory=tuple)
    cert_cn: bool = False


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


class Users:
    """The users of one users file; verification results are cached by (name, password digest)."""

    def __init__(self, users: dict[str, User]) -> None:
        self.users = users
        self._verified: dict[tuple[str, bytes], bool] = {}

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Users:
        try:
            raw = json.loads(Path(path).read_text())
        except (OSError, ValueError) as exc:
            raise UsersFileError(f"cannot read the users file {path}: {exc}") from None
        if not isinstance(raw, dict) or not isinstance(raw.get("users"), dict):
            raise UsersFileError(f"{path}: expected a JSON object with a 'users' object")
        users = {}
        for name, entry in raw["users"].items():
            users[name] = _parse_user(path, name, entry)
        return cls(users)

    @staticmethod
    def _digest(name: str, password: str) -> tuple[str, bytes]:
        digest = hashlib.blake2b(password.encode(), key=_CACHE_KEY, digest_size=32).digest()
        return name, digest

    def cached(self, name: str, password: str) -> User | bool | None:
        """The user or False if this credential was verified before; True if it was not (verify it)."""
        ok = self._verified.get(self._digest(name, password))
        if ok is None:
            return True
        return self.users.get(name) if ok else False

    def authenticate(self, name: str, password: str) -> User | None:
        """The user if the password matches its hash. The slow hash is verified once per distinct
        credential (unknown users are verified against a dummy hash: same cost), then remembered by
        a keyed digest of the password, never the password itself. Blocking: call in a thread."""
        user = self.users.get(name)
        target = user.password_hash if user is not None and user.password_hash else _DUMMY_HASH
        try:
            ok = _HASHER.verify(target, password) and user is not None and bool(user.password_hash)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            ok = False
        if len(self._verified) > 10000:
            self._verified.clear()
        self._verified[self._digest(name, password)] = ok
        return user if ok else None

    def by_certificate(self, common_name: str) -> User | None:
        for name, user in self.users.items():
            if user.cert_cn and hmac.compare_digest(name.encode(), common_name.encode()):
                return user
        return None


def _parse_user(path: Any, name: str, entry: Any) -> User:
    if not isinstance(entry, dict):
        raise UsersFileError(f"{path}: user {name!r} must be an object")
    grants = []
    for rule in entry.get("acl", []):
        if not isinstance(rule, dict) or rule.get("role") not in ROLES or not isinstance(rule.get("subject"), str):
            raise UsersFileError(f"{path}: user {name!r}: each acl rule needs 'subject' and 'role' "
                                 f"(one of {', '.join(ROLES)})")
        grants.append(Grant(rule["subject"], rule["role"]))
    password = entry.get("password")
    if password is not None and not str(password).startswith("$argon2"):
        raise UsersFileError(f"{path}: user {name!r}: 'password' must be an argon2 hash (use charter passwd)")
    return User(name, password, tuple(grants), bool(entry.get("cert_cn", False)))


def add_user(path: str | os.PathLike[str], name: str, password: str | None, acl: list[dict[str, str]],
             cert_cn: bool = False) -> None:
    """Create or replace one user entry in the users file (created if missing, written atomically)."""
    file = Path(path)
    data: dict[str, Any] = {"users": {}}
    if file.exists():
        data = json.loads(file.read_text())
    entry: dict[str, Any] = {"acl": acl}
    if password is not None:
        entry["password"] = hash_password(password)
    if cert_cn:
        entry["cert_cn"] = True
    _parse_user(file, name, entry)
    data.setdefault("users", {})[name] = entry
    tmp = file.with_name(file.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n")
    os.chmod(tmp, 0o600)
    tmp.replace(file)
