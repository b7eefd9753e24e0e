"""``SerializationContext``, ``MessageField``, ``SerializationError`` and the serde base classes.

When confluent-kafka is installed (it is whenever these serdes feed a confluent-kafka Producer or
Consumer), these ARE confluent-kafka's own classes: a context built with
``confluent_kafka.serialization.SerializationContext`` works here, and ``except SerializationError``
written for confluent-kafka's serdes catches ours. Without it (e.g. the registry client alone, or
another Kafka library) small equivalents with the same names and attributes are defined instead,
so confluent-kafka is not a hard runtime dependency of ``charter.clients``.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

__all__ = ["Deserializer", "MessageField", "SerializationContext", "SerializationError", "Serializer"]

try:
    from confluent_kafka.serialization import (
        Deserializer,
        MessageField,
        SerializationContext,
        SerializationError,
        Serializer,
    )
except ImportError:  # pragma: no cover - exercised only without confluent-kafka

    class MessageField(str, Enum):  # type: ignore[no-redef]  # noqa: UP042 - same bases as confluent-kafka's
        """Which part of a Kafka message is (de)serialized."""

        NONE = "none"
        KEY = "key"
        VALUE = "value"

        def __str__(self) -> str:
            return str(self.value)

    class SerializationContext:  # type: ignore[no-redef]
        """Topic, field and headers of the message being (de)serialized."""

        def __init__(self, topic: str, field: MessageField, headers: Any = None) -> None:
            self.topic = topic
            self.field = field
            self.headers = headers

    class SerializationError(Exception):  # type: ignore[no-redef]
        """Generic error from a serializer or deserializer."""

    class Serializer:  # type: ignore[no-redef]
        """Base of the serializers: ``ser(obj, ctx) -> bytes``."""

        __slots__: list[str] = []

        def __call__(self, obj: Any, ctx: SerializationContext | None = None) -> bytes | None:
            raise NotImplementedError

    class Deserializer:  # type: ignore[no-redef]
        """Base of the deserializers: ``de(data, ctx) -> object``."""

        __slots__: list[str] = []

        def __call__(self, value: bytes | None, ctx: SerializationContext | None = None) -> Any:
            raise NotImplementedError
