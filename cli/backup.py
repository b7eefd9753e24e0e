"""``charter backup`` and ``charter restore``: copy the schemas log to a portable file and back.

Either backend: ``--data-dir`` (embedded log) or ``--kafka-bootstrap``/``--kafka-topic``. Backing up
the embedded log of a running server is safe: it is read without taking the server's lock, up to
the last complete CRC-checked frame. Restoring to the embedded log takes the data directory's lock,
so the server must be stopped; restoring to Kafka writes with an idempotent producer, and should
also be done with no Charter instance running on the topic (they would not see the records until
they restart). Restore refuses a target that already holds records unless ``--force`` and verifies
the count and checksum of what it wrote by reading it back. See ``charter.registry.backup`` for
the format, and for the accepted ``kafka-console-consumer`` dump of a Confluent/Karapace topic.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from charter.registry.settings import defaults_from_env


def _target_options(parser: argparse.ArgumentParser) -> None:
    defaults = defaults_from_env()
    parser.add_argument("--data-dir", default=defaults["data_dir"],
                        help="embedded log directory [env CHARTER_DATA_DIR] (default: %(default)s)")
    parser.add_argument("--kafka-bootstrap", default=defaults["kafka_bootstrap"],
                        help="Kafka HOST:PORT: use the topic instead of the embedded log [env CHARTER_KAFKA_BOOTSTRAP]")
    parser.add_argument("--kafka-topic", default=defaults["kafka_topic"],
                        help="schemas topic [env CHARTER_KAFKA_TOPIC] (default: %(default)s)")


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


def _kafka_records(bootstrap: str, topic: str) -> Iterator[Any]:
    from confluent_kafka.admin import AdminClient

    from charter.registry.backup import BackupError, Record
    from charter.registry.log.kafka import KafkaLog

    if topic not in AdminClient({"bootstrap.servers": bootstrap}).list_topics(timeout=10).topics:
        raise BackupError(f"topic {topic} does not exist at {bootstrap}")
    log = KafkaLog(bootstrap, topic, "charter-backup")
    try:
        for record in log.replay():
            yield Record(bytes(record.key), None if record.value is None else bytes(record.value), record.timestamp_ms)
    finally:
        log.close()


def _source(args: argparse.Namespace) -> tuple[str, Iterator[Any]]:
    from charter.registry.backup import read_file_log

    if args.kafka_bootstrap:
        records = _kafka_records(args.kafka_bootstrap, args.kafka_topic)
        return f"kafka {args.kafka_bootstrap} {args.kafka_topic}", records
    return f"file {Path(args.data_dir).resolve()}", read_file_log(args.data_dir)


def run_backup(args: argparse.Namespace) -> int:
    from charter.registry.backup import BackupError, write_backup

    try:
        source, records = _source(args)
        if args.out == "-":
            total = write_backup(sys.stdout, records, source)
        else:
            tmp = Path(args.out + ".tmp")
            with open(tmp, "w", encoding="utf-8") as out:
                total = write_backup(out, records, source)
            tmp.replace(args.out)
    except (BackupError, OSError) as exc:
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


def _write_file(data_dir: str, records: list[Any]) -> None:
    from charter.registry.log.file import FileLog

    log = FileLog(data_dir)  # takes the lock: fails while a server owns the directory
    try:
        for start in range(0, len(records), 1000):
            batch = [(r.key, r.value) for r in records[start: start + 1000]]
            asyncio.run(log.append(batch))
    finally:
        log.close()


def _write_kafka(bootstrap: str, topic: str, records: list[Any]) -> None:
    from confluent_kafka import KafkaError, Producer

    from charter.registry.backup import BackupError
    from charter.registry.log.kafka import KafkaLog

    KafkaLog(bootstrap, topic, "charter-restore").ensure_topic()
    producer = Producer({"bootstrap.servers": bootstrap, "acks": "all", "enable.idempotence": True,
                        "linger.ms": 5})
    failures: list[str] = []

    def done(err: KafkaError | None, msg: Any) -> None:
        if err is not None:
            failures.append(str(err))

    for record in records:
        while True:
            try:
                producer.produce(topic, key=record.key, value=record.value, partition=0, on_delivery=done)
                break
            except BufferError:
                producer.poll(0.1)
    if producer.flush(60) or failures:
        raise BackupError(f"writing to {topic} failed: {failures[:3] or 'timed out'}")


def run_restore(args: argparse.Namespace) -> int:
    from charter.registry.backup import BackupError, checksum, read_backup
    from charter.registry.log.base import LogError

    try:
        records = read_backup(args.file)
        existing = _existing(args)
        if existing and not args.force:
            print(f"charter: error: the target already holds {len(existing)} records; restore into an empty "
                  "registry, or pass --force to append", file=sys.stderr)
            return 2
        if args.kafka_bootstrap:
            _write_kafka(args.kafka_bootstrap, args.kafka_topic, records)
        else:
            _write_file(args.data_dir, records)
        after = _existing(args)
        written = after[len(existing):]
        expected, got = checksum(records), checksum(written)
        if (expected.count, expected.hexdigest) != (got.count, got.hexdigest):
            raise BackupError(f"verification failed: wrote {expected.count} records ({expected.hexdigest[:12]}…), "
                              f"read back {got.count} ({got.hexdigest[:12]}…)")
    except (BackupError, LogError, OSError) as exc:
        print(f"charter: error: {exc}", file=sys.stderr)
        return 2
    target = f"topic {args.kafka_topic}" if args.kafka_bootstrap else f"data dir {args.data_dir}"
    print(f"restored {expected.count} records into {target}; verified count and sha256 {expected.hexdigest}",
          file=sys.stderr)
    return 0
