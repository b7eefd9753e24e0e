"""``charter backup`` and ``charter restore``: copy the schemas log to a portable file and back.

Either backend: ``--data-dir`` (embedded log) or ``--kafka-bootstrap``/``--kafka-topic``. Backing up
the embedded log of a running server is safe: it is read without taking the server's lock, up to the
last complete CRC-checked frame (a log with damage in the middle is refused: ``charter repair``
first). Restoring to the embedded log takes the data directory's lock, so the server must be
stopped; restoring to Kafka writes in transactions of its own (it fences no running instance), and
should also be done with no Charter instance running on the topic (they would apply the records as
they come, but could issue the same ids meanwhile). Either way the records go through the log's own
append (``charter.registry.bootstrap.restore_log``). Restore refuses a target that already holds
records unless ``--force`` and verifies the count and checksum of what it wrote by reading it back.
See ``charter.registry.backup`` for the format, and for the accepted ``kafka-console-consumer`` dump
of a Confluent/Karapace topic. A secured Kafka cluster is reached with the same settings as
``charter serve`` (``--kafka-sasl-*``, ``--kafka-ssl-*``, their variables, or ``--config`` with
Confluent's keys).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from charter.registry.settings import (
    KAFKA_SECURITY_OPTIONS,
    SettingsError,
    add_arguments,
    given_flags,
    resolve,
)

TARGET_OPTIONS = ("config", "data_dir", "kafka_bootstrap", "kafka_topic", *KAFKA_SECURITY_OPTIONS)


def _target_options(parser: argparse.ArgumentParser) -> None:
    add_arguments(parser, TARGET_OPTIONS)


def _resolve_target(args: argparse.Namespace) -> Any:
    """Fill the target options in ``args`` as `charter serve` would (flags, variables, --config)."""
    settings = args.settings = resolve(given_flags(args)).settings
    for name in TARGET_OPTIONS:
        setattr(args, name, getattr(settings, name))
    if settings.kafka_bootstrap:
        from charter.registry.log.kafka_connection import KafkaConnection

        args.connection = KafkaConnection.from_settings(settings)
        args.connection.check()
    return settings


def add_command(commands: Any) -> None:
    backup = commands.add_parser("backup", help="write the schemas log to a portable backup file",
                                 description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    _target_options(backup)
    backup.add_argument("--out", required=True, help="backup file to write ('-' for standard output)")
    backup.set_defaults(run=run_backup)
    restore = commands.add_parser("restore", help="write a backup (or a _schemas topic dump) into a log",
                                  description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    _target_options(restore)
    restore.add_argument("file", help="a charter backup, or a kafka-console-consumer dump (KEY<TAB>VALUE lines)")
    restore.add_argument("--force", action="store_true", help="append even if the target already holds records")
    restore.set_defaults(run=run_restore)


def _kafka_records(settings: Any) -> Iterator[Any]:
    from confluent_kafka import KafkaException
    from confluent_kafka.admin import AdminClient

    from charter.registry.backup import BackupError, Record
    from charter.registry.bootstrap import open_kafka_log

    log = open_kafka_log(settings, group_id="charter-backup", timeout_s=10)
    connection, topic = log.connection, log.topic
    log.check_broker(10)  # refused credentials or certificates: KafkaSecurityError, named
    try:
        topics = AdminClient(connection.librdkafka()).list_topics(timeout=10).topics
    except KafkaException as exc:
        raise BackupError(f"Kafka at {connection} did not answer: {exc.args[0].str()}") from None
    if topic not in topics:
        raise BackupError(f"topic {topic} does not exist at {connection}")
    try:
        for record in log.replay():
            yield Record(bytes(record.key), None if record.value is None else bytes(record.value), record.timestamp_ms)
    finally:
        log.close()


def _source(args: argparse.Namespace) -> tuple[str, Iterator[Any]]:
    from charter.registry.backup import read_file_log

    if args.kafka_bootstrap:
        records = _kafka_records(args.settings)
        return f"kafka {args.connection.servers} {args.kafka_topic}", records
    return f"file {Path(args.data_dir).resolve()}", read_file_log(args.data_dir)


def run_backup(args: argparse.Namespace) -> int:
    from charter.registry.backup import BackupError, write_backup
    from charter.registry.log.base import LogError

    try:
        _resolve_target(args)
        source, records = _source(args)
        if args.out == "-":
            total = write_backup(sys.stdout, records, source)
        else:
            tmp = Path(args.out + ".tmp")
            try:
                with open(tmp, "w", encoding="utf-8") as out:
                    total = write_backup(out, records, source)
            except BaseException:
                tmp.unlink(missing_ok=True)  # a refused backup (a corrupt log, say) leaves no partial file
                raise
            tmp.replace(args.out)
    except (BackupError, LogError, SettingsError, OSError) as exc:
        print(f"charter: error: {exc}", file=sys.stderr)
        return 2
    print(f"backed up {total.count} records from {source} (sha256 {total.hexdigest})", file=sys.stderr)
    return 0


def _existing(args: argparse.Namespace) -> list[Any]:
    from charter.registry.backup import BackupError, is_noop

    _, records = _source(args)
    try:
        return [r for r in records if not is_noop(r.key)]
    except BackupError as exc:
        if "does not exist" in str(exc):
            return []
        raise


def _append(settings: Any, records: list[Any]) -> None:
    """Append through the target log's own write path, as its only writer."""
    from charter.registry.backup import append_all
    from charter.registry.bootstrap import restore_log

    log = restore_log(settings)  # the file log takes its lock: fails while a server owns the directory
    try:
        asyncio.run(append_all(log, records))
    finally:
        log.close()


def run_restore(args: argparse.Namespace) -> int:
    from charter.registry.backup import BackupError, checksum, read_backup
    from charter.registry.log.base import LogError

    try:
        _resolve_target(args)
        records = read_backup(args.file)
        existing = _existing(args)
        if existing and not args.force:
            print(f"charter: error: the target already holds {len(existing)} records; restore into an empty "
                  "registry, or pass --force to append", file=sys.stderr)
            return 2
        _append(args.settings, records)
        after = _existing(args)
        written = after[len(existing):]
        expected, got = checksum(records), checksum(written)
        if (expected.count, expected.hexdigest) != (got.count, got.hexdigest):
            raise BackupError(f"verification failed: wrote {expected.count} records ({expected.hexdigest[:12]}…), "
                              f"read back {got.count} ({got.hexdigest[:12]}…)")
    except (BackupError, LogError, SettingsError, OSError) as exc:
        print(f"charter: error: {exc}", file=sys.stderr)
        return 2
    target = f"topic {args.kafka_topic}" if args.kafka_bootstrap else f"data dir {args.data_dir}"
    print(f"restored {expected.count} records into {target}; verified count and sha256 {expected.hexdigest}",
          file=sys.stderr)
    return 0
