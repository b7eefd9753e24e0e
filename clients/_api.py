"""Every registry endpoint, written once as an I/O-free operation shared by both clients.

Each public method here is a generator decorated with ``@operation``: it builds the request, checks
and fills the caches, and parses the answer into the typed results of ``models``. The HTTP exchange
itself is delegated (``yield from self._call(...)``) to ``_core.exchange``. On a sync client an
operation is a plain method; on an async client the same operation is a coroutine method.
Method names and arguments follow confluent-kafka's ``SchemaRegistryClient``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import _core
from ._api_admin import AdminApi, Op, _enc, operation
from .models import RegisteredSchema, Schema, SchemaVersion


def _page(offset: int, limit: int, **flags: Any) -> dict[str, Any]:
    params: dict[str, Any] = {k: str(v).lower() if isinstance(v, bool) else v for k, v in flags.items() if v}
    if offset:
        params["offset"] = offset
    if limit is not None and limit >= 0:
        params["limit"] = limit
    return params


class RegistryApi(AdminApi):
    """The endpoint operations and caches. Subclasses supply ``_bind`` (how an operation runs)."""

    def __init__(self, conf: dict[str, Any]) -> None:
        self._conf = dict(conf)
        self._cfg = _core.RestConfig(conf)
        cap, ttl = self._cfg.cache_capacity, self._cfg.cache_latest_ttl_sec
        self._schema_by_id = _core.LRUCache(cap)  # (id, fmt) -> Schema
        self._schema_by_guid = _core.LRUCache(cap)  # (guid, fmt) -> Schema
        self._registered = _core.LRUCache(cap)  # (subject, Schema, normalize) -> RegisteredSchema
        self._versions = _core.LRUCache(cap)  # (subject, version, fmt) -> RegisteredSchema
        self._latest = _core.LRUCache(cap, ttl)  # (subject, fmt) -> RegisteredSchema
        self._latest_meta = _core.LRUCache(cap, ttl)  # (subject, metadata, deleted, fmt) -> RegisteredSchema
        self.requests_sent = 0  # HTTP requests actually sent (tests use it to check the caches)

    def _bind(self, fn: Callable[..., Op]) -> Callable[..., Any]:
        raise NotImplementedError

    def config(self) -> dict[str, Any]:
        """The conf dict this client was created with."""
        return dict(self._conf)

    def _call(self, method: str, path: str, params: dict[str, Any] | None = None, body: Any = None) -> Op:
        return (yield from _core.exchange(self._cfg, method, path, params or None, body))

    def clear_latest_caches(self) -> None:
        self._latest.clear()
        self._latest_meta.clear()

    def clear_caches(self) -> None:
        for cache in (self._schema_by_id, self._schema_by_guid, self._registered, self._versions):
            cache.clear()
        self.clear_latest_caches()

    def _forget_subject(self, subject: str) -> None:
        for cache in (self._registered, self._versions, self._latest, self._latest_meta):
            cache.evict(lambda key: key[0] == subject)

    # -- root, schemas ---------------------------------------------------------------------------

    @operation
    def request(self, method: str, path: str, params: dict[str, Any] | None = None, body: Any = None) -> Op:
        """Any endpoint by path, for tools that need one the typed methods do not cover (e.g.
        ``charter migrate``'s listings): the client's auth, TLS, headers and retries apply; returns
        the decoded JSON body, or raises :class:`SchemaRegistryError` as the typed methods do."""
        return (yield from self._call(method, path, params, body))

    @operation
    def is_alive(self) -> Op:
        """``GET /``: True when the registry answers."""
        yield from self._call("GET", "/")
        return True

    @operation
    def get_schema(self, schema_id: int, subject_name: str | None = None, fmt: str | None = None,
                   reference_format: str | None = None) -> Op:
        """``GET /schemas/ids/{id}`` (cached per id and format)."""
        key = (schema_id, fmt, reference_format)
        cached = self._schema_by_id.get(key)
        if cached is not None:
            return cached
        params = {"subject": subject_name, "format": fmt, "referenceFormat": reference_format}
        body = yield from self._call("GET", f"/schemas/ids/{int(schema_id)}", {k: v for k, v in params.items() if v})
        schema = Schema.from_dict(body)
        self._schema_by_id.set(key, schema)
        if body.get("guid"):
            self._schema_by_guid.set((body["guid"], fmt), schema)
        return schema

    @operation
    def get_schema_string(self, schema_id: int, subject_name: str | None = None, fmt: str | None = None) -> Op:
        """``GET /schemas/ids/{id}/schema``: the raw schema text."""
        params = {k: v for k, v in {"subject": subject_name, "format": fmt}.items() if v}
        body = yield from self._call("GET", f"/schemas/ids/{int(schema_id)}/schema", params)
        return body if isinstance(body, str) else _json_text(body)

    @operation
    def get_schema_by_guid(self, guid: str, fmt: str | None = None) -> Op:
        """``GET /schemas/guids/{guid}`` (cached)."""
        cached = self._schema_by_guid.get((str(guid), fmt))
        if cached is not None:
            return cached
        body = yield from self._call("GET", f"/schemas/guids/{_enc(guid)}", {"format": fmt} if fmt else None)
        schema = Schema.from_dict(body)
        self._schema_by_guid.set((str(guid), fmt), schema)
        return schema

    @operation
    def get_schema_types(self) -> Op:
        """``GET /schemas/types``."""
        return list((yield from self._call("GET", "/schemas/types")))

    @operation
    def get_schemas(self, subject_prefix: str | None = None, deleted: bool = False, latest_only: bool = False,
                    offset: int = 0, limit: int = -1) -> Op:
        """``GET /schemas``: registered schemas with their subject, version and id."""
        params = _page(offset, limit, deleted=deleted, latestOnly=latest_only)
        if subject_prefix is not None:
            params["subjectPrefix"] = subject_prefix
        body = yield from self._call("GET", "/schemas", params)
        return [RegisteredSchema.from_dict(item) for item in body]

    @operation
    def get_subjects_by_schema_id(self, schema_id: int, subject_name: str | None = None, deleted: bool = False,
                                  offset: int = 0, limit: int = -1) -> Op:
        """``GET /schemas/ids/{id}/subjects``."""
        params = _page(offset, limit, deleted=deleted, subject=subject_name)
        return list((yield from self._call("GET", f"/schemas/ids/{int(schema_id)}/subjects", params)))

    @operation
    def get_schema_versions(self, schema_id: int, subject_name: str | None = None, deleted: bool = False,
                            offset: int = 0, limit: int = -1) -> Op:
        """``GET /schemas/ids/{id}/versions``: subject-version pairs using the schema."""
        params = _page(offset, limit, deleted=deleted, subject=subject_name)
        body = yield from self._call("GET", f"/schemas/ids/{int(schema_id)}/versions", params)
        return [SchemaVersion(item["subject"], int(item["version"])) for item in body]

    # -- subjects --------------------------------------------------------------------------------

    @operation
    def register_schema_full_response(self, subject_name: str, schema: Schema, normalize_schemas: bool = False) -> Op:
        """``POST /subjects/{s}/versions``; cached per (subject, schema), so re-registering is free."""
        key = (subject_name, schema, normalize_schemas)
        cached = self._registered.get(key)
        if cached is not None:
            return cached
        path = f"/subjects/{_enc(subject_name)}/versions"
        params = {"normalize": "true"} if normalize_schemas else None
        body = yield from self._call("POST", path, params, schema.to_dict())
        registered = RegisteredSchema(
            schema_id=body.get("id"), schema=Schema.from_dict(body) if "schema" in body else schema,
            subject=body.get("subject") or subject_name, version=body.get("version"), guid=body.get("guid"))
        self._registered.set(key, registered)
        self._schema_by_id.set((registered.schema_id, None, None), registered.schema)
        self._latest.evict(lambda k: k[0] == subject_name)
        self._latest_meta.evict(lambda k: k[0] == subject_name)
        return registered

    @operation
    def register_schema(self, subject_name: str, schema: Schema, normalize_schemas: bool = False) -> Op:
        """Register ``schema`` under ``subject_name`` and return its id."""
        registered = yield from RegistryApi.register_schema_full_response.fn(
            self, subject_name, schema, normalize_schemas)
        return registered.schema_id

    @operation
    def lookup_schema(self, subject_name: str, schema: Schema, normalize_schemas: bool = False,
                      fmt: str | None = None, deleted: bool = False) -> Op:
        """``POST /subjects/{s}``: the version and id of ``schema`` under the subject (cached)."""
        key = (subject_name, schema, normalize_schemas)
        cached = self._registered.get(key)
        if cached is not None and cached.version is not None and fmt is None:
            return cached
        params = {"normalize": str(normalize_schemas).lower(), "deleted": str(deleted).lower()}
        if fmt:
            params["format"] = fmt
        body = yield from self._call("POST", f"/subjects/{_enc(subject_name)}", params, schema.to_dict())
        registered = RegisteredSchema.from_dict(body)
        if fmt is None:
            self._registered.set(key, registered)
        return registered

    @operation
    def get_subjects(self, subject_prefix: str | None = None, deleted: bool = False, deleted_only: bool = False,
                     offset: int = 0, limit: int = -1) -> Op:
        """``GET /subjects``."""
        params = _page(offset, limit, deleted=deleted, deletedOnly=deleted_only)
        if subject_prefix is not None:
            params["subjectPrefix"] = subject_prefix
        return list((yield from self._call("GET", "/subjects", params)))

    @operation
    def delete_subject(self, subject_name: str, permanent: bool = False) -> Op:
        """``DELETE /subjects/{s}`` (soft, or hard with ``permanent=True``): the deleted versions."""
        params = {"permanent": "true"} if permanent else None
        body = yield from self._call("DELETE", f"/subjects/{_enc(subject_name)}", params)
        self._forget_subject(subject_name)
        return list(body)

    @operation
    def get_versions(self, subject_name: str, deleted: bool = False, deleted_only: bool = False,
                     offset: int = 0, limit: int = -1) -> Op:
        """``GET /subjects/{s}/versions``."""
        params = _page(offset, limit, deleted=deleted, deletedOnly=deleted_only)
        return list((yield from self._call("GET", f"/subjects/{_enc(subject_name)}/versions", params)))

    @operation
    def get_version(self, subject_name: str, version: int | str, deleted: bool = False, fmt: str | None = None) -> Op:
        """``GET /subjects/{s}/versions/{v}`` (numeric versions are cached; use get_latest_version for latest)."""
        cacheable = isinstance(version, int) and version > 0 and not deleted
        key = (subject_name, version, fmt)
        if cacheable:
            cached = self._versions.get(key)
            if cached is not None:
                return cached
        params = {k: v for k, v in {"deleted": "true" if deleted else None, "format": fmt}.items() if v}
        body = yield from self._call("GET", f"/subjects/{_enc(subject_name)}/versions/{_enc(version)}", params)
        registered = RegisteredSchema.from_dict(body)
        if cacheable:
            self._versions.set(key, registered)
        return registered

    @operation
    def get_latest_version(self, subject_name: str, fmt: str | None = None) -> Op:
        """The latest version of a subject; cached, with ``cache.latest.ttl.sec`` as its lifetime."""
        cached = self._latest.get((subject_name, fmt))
        if cached is not None:
            return cached
        params = {"format": fmt} if fmt else None
        body = yield from self._call("GET", f"/subjects/{_enc(subject_name)}/versions/latest", params)
        registered = RegisteredSchema.from_dict(body)
        self._latest.set((subject_name, fmt), registered)
        return registered

    @operation
    def get_latest_with_metadata(self, subject_name: str, metadata: dict[str, str], deleted: bool = False,
                                 fmt: str | None = None) -> Op:
        """``GET /subjects/{s}/metadata?key=&value=``: the latest version whose metadata matches (cached, TTL)."""
        key = (subject_name, tuple(sorted(metadata.items())), deleted, fmt)
        cached = self._latest_meta.get(key)
        if cached is not None:
            return cached
        params: list[tuple[str, str]] = []
        for k, v in metadata.items():
            params += [("key", k), ("value", v)]
        if deleted:
            params.append(("deleted", "true"))
        if fmt:
            params.append(("format", fmt))
        body = yield from self._call("GET", f"/subjects/{_enc(subject_name)}/metadata", params)  # type: ignore[arg-type]
        registered = RegisteredSchema.from_dict(body)
        self._latest_meta.set(key, registered)
        return registered

    @operation
    def get_version_schema_string(self, subject_name: str, version: int | str, deleted: bool = False,
                                  fmt: str | None = None) -> Op:
        """``GET /subjects/{s}/versions/{v}/schema``: the raw schema text."""
        params = {k: v for k, v in {"deleted": "true" if deleted else None, "format": fmt}.items() if v}
        body = yield from self._call("GET", f"/subjects/{_enc(subject_name)}/versions/{_enc(version)}/schema", params)
        return body if isinstance(body, str) else _json_text(body)

    @operation
    def get_referenced_by(self, subject_name: str, version: int | str = "latest", offset: int = 0,
                          limit: int = -1) -> Op:
        """``GET /subjects/{s}/versions/{v}/referencedby``: ids of the schemas that reference it."""
        path = f"/subjects/{_enc(subject_name)}/versions/{_enc(version)}/referencedby"
        return list((yield from self._call("GET", path, _page(offset, limit))))

    @operation
    def delete_version(self, subject_name: str, version: int | str, permanent: bool = False) -> Op:
        """``DELETE /subjects/{s}/versions/{v}`` (soft, or hard with ``permanent=True``)."""
        params = {"permanent": "true"} if permanent else None
        body = yield from self._call("DELETE", f"/subjects/{_enc(subject_name)}/versions/{_enc(version)}", params)
        self._forget_subject(subject_name)
        return int(body)


def _json_text(body: Any) -> str:
    import json

    return json.dumps(body, separators=(",", ":"))
