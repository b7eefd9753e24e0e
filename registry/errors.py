"""Confluent's error vocabulary: every refusal the registry gives, as (error_code, message).

A :class:`RegistryError` is a domain error: it carries Confluent's ``error_code`` and ``message``
only. The HTTP status is the API edge's business: :func:`charter.registry.api.errors.status_of`
derives it from the code (Confluent's codes encode it: 40401 -> 404, 42201 -> 422), and
:mod:`charter.registry.api.errors` renders ``{"error_code": ..., "message": ...}``. Messages follow
Confluent's wording where clients or people may match on it. The refusals Confluent's REST stack
makes before a resource runs (Jersey's 404, 406, 413, 415) live with the API edge too.
"""

from __future__ import annotations

import uuid


class RegistryError(Exception):
    def __init__(self, error_code: int, message: str) -> None:
        super().__init__(message)
        self.error_code = error_code
        self.message = message


def bad_request(message: str) -> RegistryError:
    return RegistryError(400, message)


def guid_not_found(guid: str) -> RegistryError:
    """No schema has this GUID (``/schemas/guids/{guid}``, the console's schema page); a value that
    is not a UUID is told what a GUID looks like."""
    try:
        uuid.UUID(guid)
    except ValueError:
        return RegistryError(
            40403, f"Schema {guid} not found: a GUID is a UUID such as "
            "'6a3d6ded-71f4-c1c1-1334-4889ba1ec982' (the 'guid' field of a registered schema)"
        )
    return RegistryError(40403, f"Schema {guid} not found")


def subject_not_found(subject: str) -> RegistryError:
    return RegistryError(40401, f"Subject '{subject}' not found.")


def version_not_found(version: object) -> RegistryError:
    return RegistryError(40402, f"Version {version} not found.")


def schema_not_found(schema_id: object | None = None) -> RegistryError:
    if schema_id is None:
        return RegistryError(40403, "Schema not found")
    return RegistryError(40403, f"Schema {schema_id} not found")


def subject_soft_deleted(subject: str) -> RegistryError:
    return RegistryError(
        40404, f"Subject '{subject}' was soft deleted.Set permanent=true to delete permanently"
    )


def subject_not_soft_deleted(subject: str) -> RegistryError:
    return RegistryError(
        40405, f"Subject '{subject}' was not deleted first before being permanently deleted"
    )


def version_soft_deleted(subject: str, version: int) -> RegistryError:
    return RegistryError(
        40406,
        f"Subject '{subject}' Version {version} was soft deleted.Set permanent=true to delete permanently",
    )


def version_not_soft_deleted(subject: str, version: int) -> RegistryError:
    return RegistryError(
        40407,
        f"Subject '{subject}' Version {version} was not deleted first before being permanently deleted",
    )


def subject_compatibility_not_configured(subject: str) -> RegistryError:
    return RegistryError(
        40408, f"Subject '{subject}' does not have subject-level compatibility configured"
    )


def subject_mode_not_configured(subject: str) -> RegistryError:
    return RegistryError(40409, f"Subject '{subject}' does not have subject-level mode configured")


def association_not_found(message: str) -> RegistryError:
    return RegistryError(40410, message)


def incompatible_schema(subject: str, messages: list[str]) -> RegistryError:
    details = "[" + ", ".join(messages) + "]"
    return RegistryError(
        40901,
        f'Schema being registered is incompatible with an earlier schema for subject "{subject}", '
        f"details: {details}",
    )


def invalid_schema(message: str) -> RegistryError:
    return RegistryError(42201, message)


def invalid_version(version: str) -> RegistryError:
    return RegistryError(
        42202,
        f"The specified version '{version}' is not a valid version id. "
        'Allowed values are between [1, 2^31-1] and the string "latest"',
    )


def invalid_new_version(given: int, expected: int) -> RegistryError:
    return RegistryError(
        42202,
        f"The specified newVersion {given} is not valid: the subject's next version is {expected} "
        "(leave newVersion out to take the next version)",
    )


def invalid_compatibility_level(level: object = None) -> RegistryError:
    """Confluent's RestInvalidCompatibilityException text, word for word (it does not name the
    level it refused)."""
    return RegistryError(
        42203,
        "Invalid compatibility level. Valid values are none, backward, forward, full, "
        "backward_transitive, forward_transitive, and full_transitive",
    )


def invalid_mode(mode: object) -> RegistryError:
    return RegistryError(
        42204, f"Invalid mode {mode!r}. Valid values are READWRITE, READONLY, READONLY_OVERRIDE, IMPORT"
    )


def operation_not_permitted(message: str) -> RegistryError:
    return RegistryError(42205, message)


def reference_exists(subject: str, version: int) -> RegistryError:
    return RegistryError(
        42206,
        f"One or more references exist to the schema {{magic=1,keytype=SCHEMA,subject={subject},"
        f"version={version}}}.",
    )


def id_does_not_match(existing: int, requested: int) -> RegistryError:
    return RegistryError(
        42207, f"Schema already registered with id {existing} instead of input id {requested}"
    )


def invalid_subject(subject: str) -> RegistryError:
    return RegistryError(42208, f"The specified subject '{subject}' is not valid.")


def schema_too_large(size: int, limit: int) -> RegistryError:
    return RegistryError(
        42209, f"Schema is too large: {size} bytes (UTF-8), the limit is {limit} bytes "
        "(--max-schema-bytes / CHARTER_MAX_SCHEMA_BYTES)"
    )


def store_error(message: str) -> RegistryError:
    return RegistryError(50001, f"Error while storing the schema: {message}")


def not_ready() -> RegistryError:
    """An instance still replaying its log (served with status 503 by the API edge)."""
    return RegistryError(
        50001, "Charter is not ready: it is still reading the schemas topic (or waiting for Kafka); see GET /status"
    )


def forwarding_failed(detail: str) -> RegistryError:
    """Confluent's 50003 (``RestRequestForwardingException``): a follower could not hand a write on."""
    return RegistryError(50003, f"Error while forwarding the request{detail}")


def operation_timed_out(reason: str) -> RegistryError:
    """Confluent's 50002 (``RestSchemaRegistryTimeoutException``)."""
    return RegistryError(50002, f"Operation timed out: {reason}")


def unknown_leader(reason: str) -> RegistryError:
    """Confluent's 50004 (``RestUnknownLeaderException``): retry, the primary is elsewhere or unknown."""
    return RegistryError(50004, f"Leader not known: {reason}")


def invalid_rule_set(message: str) -> RegistryError:
    return RegistryError(42210, f"Invalid rule set: {message}")


def invalid_association(message: str) -> RegistryError:
    return RegistryError(42212, f"Invalid association: {message}")


def association_exists(message: str) -> RegistryError:
    return RegistryError(40902, message)


def association_frozen(message: str) -> RegistryError:
    return RegistryError(40903, message)


# ---- added with the use-case layer (issue 15): refusals the use cases used to build by hand ----


def invalid_context(context: str) -> RegistryError:
    return RegistryError(
        42208,
        f"Invalid context '{context}': a context name starts with '.' followed by letters, digits, "
        "'_', '.' or '-' (e.g. '.staging'); qualified subjects look like ':.staging:my-subject'",
    )


def context_not_empty(context: str) -> RegistryError:
    return RegistryError(
        42211,
        f"Context '{context}' not empty: delete its subjects permanently first "
        f"(GET /subjects?subjectPrefix=:{context}:&deleted=true lists them)",
    )


def context_not_found(context: str) -> RegistryError:
    return RegistryError(404, f"Context '{context}' not found")


def invalid_compatibility_policy(policy: object, valid: tuple[str, ...]) -> RegistryError:
    return RegistryError(42203, f"Invalid compatibility policy {policy!r}. Valid values are {', '.join(valid)}")


def id_taken(schema_id: int) -> RegistryError:
    """IMPORT mode: an id already held by another schema (Confluent's 42207)."""
    return RegistryError(
        42207,
        f"Overwrite new schema with id {schema_id} is not permitted: that id is already "
        "taken by a different schema",
    )


def metadata_not_found(subject: str, pairs: str) -> RegistryError:
    return RegistryError(40403, f"Schema not found: no version of subject '{subject}' has metadata {pairs}")


def in_batch_entry(index: int, exc: RegistryError) -> RegistryError:
    """A batch entry's refusal: the same error, its message prefixed ``requests[i]:``."""
    out = type(exc).__new__(type(exc))  # whatever else the error carries is kept as is
    out.__dict__.update(exc.__dict__)
    out.message = f"requests[{index}]: {exc.message}"
    out.args = (out.message,)
    return out


def invalid_batch_entry(index: int, exc: RegistryError) -> RegistryError:
    """A malformed batch entry: 42212 whatever the entry's own error, prefixed ``requests[i]:``."""
    return RegistryError(42212, f"requests[{index}]: {exc.message}")


def check_schema_size(text: str, limit: int) -> None:
    """42209 when the schema text is over ``limit`` bytes in UTF-8 (what the limit counts; a character
    is 1 to 4 bytes, so the text is encoded only when its length alone does not decide)."""
    if len(text) * 4 <= limit:
        return
    size = len(text) if len(text) > limit else len(text.encode("utf-8", "surrogatepass"))
    if size > limit:
        raise schema_too_large(size, limit)


def too_many_requests(reason: str) -> RegistryError:
    """429, as rest-utils' DoS filter answers: the server is busy with work of this kind."""
    return RegistryError(429, f"Too many requests: {reason}; retry later")


def check_too_large(subject: str, versions: int, cost: int, limit: int) -> RegistryError:
    """A compatibility check over its work budget (Charter's ``--max-check-chars``; Confluent has none)."""
    return RegistryError(
        42205,
        f"Compatibility check of subject '{subject}' refused: comparing with {versions} versions would "
        f"compare {cost} characters of schema text, over the limit of {limit} (--max-check-chars / "
        "CHARTER_MAX_CHECK_CHARS); check against one version (/versions/latest), use a non-transitive "
        "level, or raise the limit",
    )


# ---- access control (403, 40301) --------------------------------------------------------------

FORBIDDEN = 40301


def forbidden(user: str, role: str, target: str, why: str = "") -> RegistryError:
    """The user's grants do not give ``role`` on ``target`` (``subject 'x'``, ``any subject``);
    ``why`` says what asked for it when it is not the path's subject (an alias, a reference)."""
    reason = f" ({why})" if why else ""
    return RegistryError(FORBIDDEN, f"Forbidden: user '{user}' needs the {role} role on {target}{reason}; "
                                    "ask an administrator for a grant in the users file")


def schema_forbidden(user: str, what: str) -> RegistryError:
    """A schema (by id or GUID) none of whose subjects the user may read; says no more about it."""
    return RegistryError(FORBIDDEN, f"Forbidden: user '{user}' may not read {what}: no subject the user may "
                                    "read uses it")


def cross_site_request(reason: str) -> RegistryError:
    """A browser sent this write on behalf of another site (cross-site request forgery)."""
    return RegistryError(FORBIDDEN, f"Forbidden: this write was refused because {reason}; a browser page of "
                                    "another site may not write here with your credentials. Send it from "
                                    "this server's own pages or from a client that is not a browser")


def write_not_applied(what: str) -> RegistryError:
    """A write the log committed but this instance's state does not show (the log went backwards
    and the state is rebuilt from it, or another record took its id): 50002, retry to get its result."""
    return operation_timed_out(
        f"{what} was committed to the log, but this instance's state does not show it (the log went backwards "
        "and the state is being rebuilt from it, or the record conflicts with one already applied: see the "
        "server log); retry to get its result")


def reference_cycle(chain: list[str]) -> RegistryError:
    """42201: references that lead back to a schema already on the way (only an old log can hold
    one: registration resolves references to existing versions)."""
    return RegistryError(
        42201, f"Invalid schema: the references form a cycle ({' -> '.join(chain)}); "
        "a schema cannot reference itself, directly or through others: register a version without the cycle",
    )


def stored_schema_unusable(key: tuple[str, int], reason: str) -> RegistryError:
    """42201: a stored schema (written before a limit existed) that cannot be parsed any more."""
    context, schema_id = key
    where = "" if context in ("", ".") else f" in context '{context}'"
    return RegistryError(42201, f"The stored schema with id {schema_id}{where} cannot be used: {reason}")
