"""Confluent's error vocabulary: every refusal the service gives, as (HTTP status, error_code, message).

The API layer turns a :class:`RegistryError` into ``{"error_code": ..., "message": ...}``.
Messages follow Confluent's wording where clients or people may match on it.
"""

from __future__ import annotations


class RegistryError(Exception):
    def __init__(self, http_status: int, error_code: int, message: str) -> None:
        super().__init__(message)
        self.http_status = http_status
        self.error_code = error_code
        self.message = message


def bad_request(message: str) -> RegistryError:
    return RegistryError(400, 400, message)


# Refusals made by Confluent's REST stack (Jersey, rest-utils) before a resource runs: the code is
# the HTTP status and the message is Jersey's "HTTP <status> <reason>" (JAX-RS Response.Status).
_JAXRS_REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    413: "Request Entity Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Entity",
}


def http_status(status: int) -> RegistryError:
    """Jersey's refusal for a bare HTTP status, e.g. ``HTTP 405 Method Not Allowed``."""
    return RegistryError(status, status, f"HTTP {status} {_JAXRS_REASONS.get(status, 'Error')}")


def http_not_found() -> RegistryError:
    """No such resource, or a path value Jersey cannot convert (``/schemas/ids/abc``)."""
    return http_status(404)


def not_acceptable() -> RegistryError:
    return http_status(406)


def unsupported_media_type() -> RegistryError:
    return http_status(415)


def request_too_large(limit: int) -> RegistryError:
    """Charter's own limit (Confluent has none): Jersey's wording, then the limit."""
    return RegistryError(413, 413, f"{http_status(413).message}: the body exceeds {limit} bytes")


def json_mapping(message: str) -> RegistryError:
    """A JSON value of the wrong kind for a request field: rest-utils' JsonMappingExceptionMapper
    answers 400 with Jackson's message."""
    return RegistryError(400, 400, message)


def subject_not_found(subject: str) -> RegistryError:
    return RegistryError(404, 40401, f"Subject '{subject}' not found.")


def version_not_found(version: object) -> RegistryError:
    return RegistryError(404, 40402, f"Version {version} not found.")


def schema_not_found(schema_id: object | None = None) -> RegistryError:
    if schema_id is None:
        return RegistryError(404, 40403, "Schema not found")
    return RegistryError(404, 40403, f"Schema {schema_id} not found")


def subject_soft_deleted(subject: str) -> RegistryError:
    return RegistryError(
        404, 40404, f"Subject '{subject}' was soft deleted.Set permanent=true to delete permanently"
    )


def subject_not_soft_deleted(subject: str) -> RegistryError:
    return RegistryError(
        404, 40405, f"Subject '{subject}' was not deleted first before being permanently deleted"
    )


def version_soft_deleted(subject: str, version: int) -> RegistryError:
    return RegistryError(
        404,
        40406,
        f"Subject '{subject}' Version {version} was soft deleted.Set permanent=true to delete permanently",
    )


def version_not_soft_deleted(subject: str, version: int) -> RegistryError:
    return RegistryError(
        404,
        40407,
        f"Subject '{subject}' Version {version} was not deleted first before being permanently deleted",
    )


def subject_compatibility_not_configured(subject: str) -> RegistryError:
    return RegistryError(
        404, 40408, f"Subject '{subject}' does not have subject-level compatibility configured"
    )


def subject_mode_not_configured(subject: str) -> RegistryError:
    return RegistryError(404, 40409, f"Subject '{subject}' does not have subject-level mode configured")


def association_not_found(message: str) -> RegistryError:
    return RegistryError(404, 40410, message)


def incompatible_schema(subject: str, messages: list[str]) -> RegistryError:
    details = "[" + ", ".join(messages) + "]"
    return RegistryError(
        409,
        40901,
        f'Schema being registered is incompatible with an earlier schema for subject "{subject}", '
        f"details: {details}",
    )


def invalid_schema(message: str) -> RegistryError:
    return RegistryError(422, 42201, message)


def invalid_version(version: str) -> RegistryError:
    return RegistryError(
        422,
        42202,
        f"The specified version '{version}' is not a valid version id. "
        'Allowed values are between [1, 2^31-1] and the string "latest"',
    )


def invalid_new_version(given: int, expected: int) -> RegistryError:
    return RegistryError(
        422,
        42202,
        f"The specified newVersion {given} is not valid: the subject's next version is {expected} "
        "(leave newVersion out to take the next version)",
    )


def invalid_compatibility_level(level: object = None) -> RegistryError:
    """Confluent's RestInvalidCompatibilityException text, word for word (it does not name the
    level it refused)."""
    return RegistryError(
        422,
        42203,
        "Invalid compatibility level. Valid values are none, backward, forward, full, "
        "backward_transitive, forward_transitive, and full_transitive",
    )


def invalid_mode(mode: object) -> RegistryError:
    return RegistryError(
        422, 42204, f"Invalid mode {mode!r}. Valid values are READWRITE, READONLY, READONLY_OVERRIDE, IMPORT"
    )


def operation_not_permitted(message: str) -> RegistryError:
    return RegistryError(422, 42205, message)


def reference_exists(subject: str, version: int) -> RegistryError:
    return RegistryError(
        422,
        42206,
        f"One or more references exist to the schema {{magic=1,keytype=SCHEMA,subject={subject},"
        f"version={version}}}.",
    )


def id_does_not_match(existing: int, requested: int) -> RegistryError:
    return RegistryError(
        422, 42207, f"Schema already registered with id {existing} instead of input id {requested}"
    )


def invalid_subject(subject: str) -> RegistryError:
    return RegistryError(422, 42208, f"The specified subject '{subject}' is not valid.")


def schema_too_large(size: int, limit: int) -> RegistryError:
    return RegistryError(
        422, 42209, f"Schema is too large: {size} bytes, the limit is {limit} bytes"
    )


def store_error(message: str) -> RegistryError:
    return RegistryError(500, 50001, f"Error while storing the schema: {message}")


def operation_timed_out(reason: str) -> RegistryError:
    """Confluent's 50002 (``RestSchemaRegistryTimeoutException``)."""
    return RegistryError(500, 50002, f"Operation timed out: {reason}")


def unknown_leader(reason: str) -> RegistryError:
    """Confluent's 50004 (``RestUnknownLeaderException``): retry, the primary is elsewhere or unknown."""
    return RegistryError(500, 50004, f"Leader not known: {reason}")


def invalid_rule_set(message: str) -> RegistryError:
    return RegistryError(422, 42210, f"Invalid rule set: {message}")


def invalid_association(message: str) -> RegistryError:
    return RegistryError(422, 42212, f"Invalid association: {message}")


def association_exists(message: str) -> RegistryError:
    return RegistryError(409, 40902, message)


def association_frozen(message: str) -> RegistryError:
    return RegistryError(409, 40903, message)


# ---- added with the use-case layer (issue 15): refusals the use cases used to build by hand ----


def invalid_context(context: str) -> RegistryError:
    return RegistryError(
        422, 42208,
        f"Invalid context '{context}': a context name starts with '.' followed by letters, digits, "
        "'_', '.' or '-' (e.g. '.staging'); qualified subjects look like ':.staging:my-subject'",
    )


def context_not_empty(context: str) -> RegistryError:
    return RegistryError(
        422, 42211,
        f"Context '{context}' not empty: delete its subjects permanently first "
        f"(GET /subjects?subjectPrefix=:{context}:&deleted=true lists them)",
    )


def context_not_found(context: str) -> RegistryError:
    return RegistryError(404, 404, f"Context '{context}' not found")


def invalid_compatibility_policy(policy: object, valid: tuple[str, ...]) -> RegistryError:
    return RegistryError(422, 42203, f"Invalid compatibility policy {policy!r}. Valid values are {', '.join(valid)}")


def id_taken(schema_id: int) -> RegistryError:
    """IMPORT mode: an id already held by another schema (Confluent's 42207)."""
    return RegistryError(
        422, 42207,
        f"Overwrite new schema with id {schema_id} is not permitted: that id is already "
        "taken by a different schema",
    )


def schema_guid_not_found(guid: str, hint: str = "") -> RegistryError:
    return RegistryError(404, 40403, f"Schema {guid} not found{hint}")


def metadata_not_found(subject: str, pairs: str) -> RegistryError:
    return RegistryError(404, 40403, f"Schema not found: no version of subject '{subject}' has metadata {pairs}")


def in_batch_entry(index: int, exc: RegistryError) -> RegistryError:
    """A batch entry's refusal: the same error, its message prefixed ``requests[i]:``."""
    out = type(exc).__new__(type(exc))  # whatever else the error carries is kept as is
    out.__dict__.update(exc.__dict__)
    out.message = f"requests[{index}]: {exc.message}"
    out.args = (out.message,)
    return out


def invalid_batch_entry(index: int, exc: RegistryError) -> RegistryError:
    """A malformed batch entry: 42212 whatever the entry's own error, prefixed ``requests[i]:``."""
    return RegistryError(422, 42212, f"requests[{index}]: {exc.message}")
