"""Errors raised by the registry client and by the serdes.

``SchemaRegistryError`` carries the HTTP status, the registry's ``error_code`` and its message,
with the attribute names confluent-kafka uses. Every serde failure is a ``SerializationError``
(confluent-kafka's class when it is installed, see ``charter.clients.serialization``) of a subclass
that says which thing went wrong, so callers can tell bad bytes from an unknown schema.
"""

from __future__ import annotations

from .serialization import SerializationError

__all__ = [
    "InvalidMagicByteError",
    "RecordValidationError",
    "SchemaRegistryError",
    "SchemaResolutionError",
    "SerializationError",
    "TruncatedMessageError",
    "UnknownSchemaError",
]


class SchemaRegistryError(Exception):
    """An error answer from the registry (or a transport failure, with ``http_status_code`` -1)."""

    UNKNOWN = -1

    def __init__(self, http_status_code: int, error_code: int, error_message: str) -> None:
        super().__init__(http_status_code, error_code, error_message)
        self.http_status_code = http_status_code
        self.error_code = error_code
        self.error_message = error_message

    @property
    def message(self) -> str:
        return self.error_message

    def __str__(self) -> str:
        return f"{self.error_message} (HTTP status code {self.http_status_code}, SR code {self.error_code})"

    __repr__ = __str__


class InvalidMagicByteError(SerializationError):
    """The payload does not start with a known magic byte (0x00 for V0, 0x01 for V1)."""


class TruncatedMessageError(SerializationError):
    """The payload ends inside the framing (schema id, GUID or protobuf message indexes)."""


class UnknownSchemaError(SerializationError):
    """The schema id or GUID in the message is not known to the registry (error 40403)."""

    def __init__(self, message: str, cause: SchemaRegistryError | None = None) -> None:
        super().__init__(message)
        self.cause = cause


class RecordValidationError(SerializationError):
    """The record does not match the schema (on write), or the payload does not decode with it (on read)."""


class SchemaResolutionError(SerializationError):
    """The reader schema cannot read data written with the writer schema."""
