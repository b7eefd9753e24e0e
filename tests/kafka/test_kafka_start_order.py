"""The Kafka instance's start-up order (registry/cluster/node.py): the election group is joined only
after the replay, and an instance stopped during its replay never joins it. No broker: the log and
the state writer are stand-ins that record what the cluster asks of them."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from charter.registry.cluster.node import KafkaCluster
from charter.registry.cluster.term import Term
from charter.registry.log.kafka_connection import KafkaConnection


class Log:
    def __init__(self) -> None:
        self.term = Term()
        self.connection = KafkaConnection("127.0.0.1:9")  # never contacted
        self.group_id, self.topic, self.position, self.timeout_s = "start-order", "_schemas", -1, 0.5
        self.on_rewind: Any = None

    def prepare(self) -> None:
        pass

    def rewind(self, reason: str) -> None:
        pass

    def progress(self) -> str:
        return "replaying"

    def describe(self) -> str:
        return "a stand-in log"

    def close(self) -> None:
        pass


class Writer:
    """Its replay runs until ``finish`` is set (``replaying`` says it started)."""

    def __init__(self) -> None:
        self.replaying, self.finish = threading.Event(), threading.Event()
        self.on_regression: Any = None
        self.following = False
        self.rebuilds = 0
        self.state = type("State", (), {"subjects": {}, "skipped": 0, "offset": -1,
                                        "schema_count": lambda self: 0})()

    def replay(self) -> int:
        self.replaying.set()
        assert self.finish.wait(10)
        return 0

    def start_following(self, loop: asyncio.AbstractEventLoop) -> None:
        self.following = True

    def rebuild(self, reason: str, records: Any) -> int:
        return -1


def test_an_instance_stopped_during_its_replay_never_joins_the_group() -> None:
    log, writer = Log(), Writer()
    cluster = KafkaCluster(writer, log, advertised_url="http://127.0.0.1:1")  # type: ignore[arg-type]

    async def run() -> None:
        await cluster.start(asyncio.get_running_loop())
        assert await asyncio.to_thread(writer.replaying.wait, 10)
        # Replaying: no group member yet, and the status says so.
        assert cluster.elector is None and cluster.member_id is None and cluster.status()["generation"] is None
        await cluster.stop()
        writer.finish.set()  # the replay ends after the stop
        assert cluster._thread is not None
        await asyncio.to_thread(cluster._thread.join, 10)

    asyncio.run(run())
    assert cluster.ready and writer.following  # the replay finished and was followed ...
    assert cluster.elector is None  # ... but the stopped instance never joined the group
