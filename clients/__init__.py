"""Charter client libraries: a registry client (sync and asyncio) and Kafka serdes.

``SchemaRegistryClient`` / ``AsyncSchemaRegistryClient`` speak the Confluent Schema Registry API
(Charter's or any compatible registry). The serdes live in ``charter.clients.avro``,
``charter.clients.protobuf`` and ``charter.clients.json_schema`` and take the same arguments as
confluent-kafka's, so moving from confluent-kafka is an import change.
"""

from .client import AsyncSchemaRegistryClient, SchemaRegistryClient
from .errors import (
    InvalidMagicByteError,
    RecordValidationError,
    SchemaRegistryError,
    SchemaResolutionError,
    TruncatedMessageError,
    UnknownSchemaError,
)
from .models import CompatibilityResult, RegisteredSchema, Schema, SchemaReference, SchemaVersion, ServerConfig
from .serialization import MessageField, SerializationContext, SerializationError

__all__ = [
    "AsyncSchemaRegistryClient",
    "CompatibilityResult",
    "InvalidMagicByteError",
    "MessageField",
    "RecordValidationError",
    "RegisteredSchema",
    "Schema",
    "SchemaReference",
    "SchemaRegistryClient",
    "SchemaRegistryError",
    "SchemaResolutionError",
    "SchemaVersion",
    "SerializationContext",
    "SerializationError",
    "ServerConfig",
    "TruncatedMessageError",
    "UnknownSchemaError",
]
