"""Message indexes: where a message sits in its file, as the Confluent serdes encode it.

The wire format carries, after the schema id, the path of indexes from the file's top-level
messages down through nested messages (``[0]`` = the first top-level message). Map-entry
messages count, because the descriptors the clients index contain them.
"""

from __future__ import annotations

from charter.compat.protobuf.types import FileProto, MessageProto


def message_indexes(file: FileProto, full_name: str) -> list[int]:
    """The index path of the message ``full_name`` (with or without the package/leading dot)."""
    name = full_name.lstrip(".")
    if file.package and name.startswith(file.package + "."):
        name = name[len(file.package) + 1 :]
    parts = name.split(".")
    indexes: list[int] = []
    messages = list(file.message_type)
    for part in parts:
        for position, message in enumerate(messages):
            if message.name == part:
                indexes.append(position)
                messages = list(message.nested_type)
                break
        else:
            raise KeyError(full_name)
    return indexes


def message_at(file: FileProto, indexes: list[int]) -> tuple[str, MessageProto]:
    """The (full name, descriptor) at an index path; an empty path means ``[0]``."""
    path = list(indexes) or [0]
    messages = list(file.message_type)
    names: list[str] = [file.package] if file.package else []
    message: MessageProto | None = None
    for position in path:
        if position < 0 or position >= len(messages):
            raise IndexError(f"message index {position} out of range in {indexes}")
        message = messages[position]
        names.append(message.name)
        messages = list(message.nested_type)
    assert message is not None
    return ".".join(names), message
