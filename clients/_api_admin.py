"""Compatibility, config, mode and association endpoints, and the ``operation`` decorator.

See ``_api`` for how operations work: each is an I/O-free generator that a sync client runs as a
plain method and an async client as a coroutine method.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Generator
from typing import Any
from urllib.parse import quote

from .errors import SchemaRegistryError
from .models import CompatibilityResult, Schema, ServerConfig

Op = Generator[Any, Any, Any]


class operation:
    """Turns an operation generator into a sync or async method, depending on the client class."""

    def __init__(self, fn: Callable[..., Op]) -> None:
        self.fn = fn
        functools.update_wrapper(self, fn)  # type: ignore[arg-type]

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return self
        bound = obj._bind(self.fn)
        functools.update_wrapper(bound, self.fn)
        obj.__dict__[self.name] = bound  # later lookups skip the descriptor
        return bound


def _enc(value: Any) -> str:
    return quote(str(value), safe="")


class AdminApi:
    """Endpoint operations for compatibility checks, config, mode and associations."""

    def _call(self, method: str, path: str, params: Any = None, body: Any = None) -> Op:
        raise NotImplementedError

    # -- compatibility ---------------------------------------------------------------------------

    @operation
    def check_compatibility(self, subject_name: str, schema: Schema, version: int | str | None = "latest",
                            normalize: bool = False, verbose: bool = False) -> Op:
        """``POST /compatibility/subjects/{s}/versions[/{v}]``; ``version=None`` checks every version
        the level requires. Returns ``CompatibilityResult`` (with ``messages`` when ``verbose``)."""
        path = f"/compatibility/subjects/{_enc(subject_name)}/versions"
        if version is not None:
            path += f"/{_enc(version)}"
        params = {k: "true" for k, on in (("normalize", normalize), ("verbose", verbose)) if on}
        body = yield from self._call("POST", path, params, schema.to_dict())
        return CompatibilityResult(bool(body.get("is_compatible")), tuple(body.get("messages") or ()))

    @operation
    def test_compatibility(self, subject_name: str, schema: Schema, version: int | str = "latest",
                           normalize: bool = False) -> Op:
        """True when ``schema`` is compatible with the given version (confluent-kafka's name)."""
        result = yield from AdminApi.check_compatibility.fn(
            self, subject_name, schema, version, normalize)
        return result.is_compatible

    @operation
    def test_compatibility_all_versions(self, subject_name: str, schema: Schema, normalize: bool = False) -> Op:
        """True when ``schema`` is compatible with every version the subject's level requires."""
        result = yield from AdminApi.check_compatibility.fn(
            self, subject_name, schema, None, normalize)
        return result.is_compatible

    # -- config and mode -------------------------------------------------------------------------

    @staticmethod
    def _scoped(base: str, subject_name: str | None) -> str:
        return f"{base}/{_enc(subject_name)}" if subject_name else base

    @operation
    def get_config(self, subject_name: str | None = None, default_to_global: bool = False) -> Op:
        """``GET /config[/{s}]``."""
        params = {"defaultToGlobal": "true"} if default_to_global else None
        return ServerConfig.from_dict((yield from self._call("GET", self._scoped("/config", subject_name), params)))

    @operation
    def set_config(self, subject_name: str | None = None, config: ServerConfig | dict[str, Any] | None = None) -> Op:
        """``PUT /config[/{s}]`` with a ``ServerConfig`` or a raw body dict."""
        body = config.to_dict() if isinstance(config, ServerConfig) else dict(config or {})
        return ServerConfig.from_dict((yield from self._call("PUT", self._scoped("/config", subject_name), None, body)))

    @operation
    def delete_config(self, subject_name: str | None = None) -> Op:
        """``DELETE /config[/{s}]``: returns the config that was removed."""
        return ServerConfig.from_dict((yield from self._call("DELETE", self._scoped("/config", subject_name))))

    @operation
    def get_compatibility(self, subject_name: str | None = None) -> Op:
        """The compatibility level of the subject (or the global one)."""
        body = yield from self._call("GET", self._scoped("/config", subject_name))
        return body.get("compatibilityLevel") or body.get("compatibility")

    @operation
    def set_compatibility(self, subject_name: str | None = None, level: str | None = None) -> Op:
        """Set the compatibility level of the subject (or the global one)."""
        if level is None:
            raise ValueError("level must be set")
        path = self._scoped("/config", subject_name)
        body = yield from self._call("PUT", path, None, {"compatibility": level.upper()})
        return body.get("compatibility") or body.get("compatibilityLevel")

    @operation
    def get_mode(self, subject_name: str | None = None, default_to_global: bool = False) -> Op:
        """``GET /mode[/{s}]``."""
        params = {"defaultToGlobal": "true"} if default_to_global else None
        return (yield from self._call("GET", self._scoped("/mode", subject_name), params))["mode"]

    @operation
    def update_mode(self, subject_name: str | None, mode: str, force: bool = False) -> Op:
        """``PUT /mode[/{s}]``."""
        params = {"force": "true"} if force else None
        return (yield from self._call("PUT", self._scoped("/mode", subject_name), params, {"mode": mode}))["mode"]

    @operation
    def delete_mode(self, subject_name: str | None = None) -> Op:
        """``DELETE /mode[/{s}]``: returns the mode that was removed."""
        return (yield from self._call("DELETE", self._scoped("/mode", subject_name)))["mode"]

    @operation
    def get_global_mode(self) -> Op:
        return (yield from self._call("GET", "/mode"))["mode"]

    @operation
    def update_global_mode(self, mode: str, force: bool = False) -> Op:
        params = {"force": "true"} if force else None
        return (yield from self._call("PUT", "/mode", params, {"mode": mode}))["mode"]

    # -- associations (used by the ASSOCIATED subject name strategy) -----------------------------

    @operation
    def get_associations_by_resource_name(self, resource_name: str, resource_namespace: str = "-",
                                          resource_type: str | None = "topic",
                                          association_types: list[str] | None = None) -> Op:
        """``GET /associations/resources/{ns}/{name}``: a list of association dicts; [] on 404."""
        params: list[tuple[str, str]] = []
        if resource_type:
            params.append(("resourceType", resource_type))
        for t in association_types or ():
            params.append(("associationType", t))
        path = f"/associations/resources/{_enc(resource_namespace)}/{_enc(resource_name)}"
        try:
            body = yield from self._call("GET", path, params)  # type: ignore[arg-type]
        except SchemaRegistryError as e:
            if e.http_status_code == 404:
                return []
            raise
        return list(body or [])
