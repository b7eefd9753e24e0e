"""The one-pass check of a log at open (``framing.check``): it keeps exactly the frames the resyncing
``scan`` calls good before its first damage, wherever bytes are damaged, tells a torn tail from
corruption the same way, and ``records`` reads back what was appended from the positions it kept."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from charter.registry.log.framing import MAGIC, CorruptLogError, Damage, check, encode_frame, records, scan

RECORDS = [(f"key-{i}".encode(), None if i % 7 == 3 else b"v" * (i * 13 % 50), 1_700_000_000_000 + i)
           for i in range(40)]
PATH = Path("/data/schemas.log")  # named in the corruption message


def _log() -> bytes:
    return MAGIC + b"".join(encode_frame(key, value, ts) for key, value, ts in RECORDS)


def _scan_verdict(data: bytes) -> tuple[list[int], int, bool]:
    """What the resyncing scan says: the frames before the first damage (their ends), where the
    good prefix ends, and whether intact frames follow the damage (corruption)."""
    ends, good_end, corrupt = [], len(data), False
    for item in scan(data, len(data)):
        if isinstance(item, Damage):
            good_end, corrupt = item.start, item.stop < len(data)
            break
        ends.append(item[0])
    return ends, good_end, corrupt


def test_records_come_back_from_the_kept_positions() -> None:
    data = _log()
    starts, good_end = check(PATH, data, len(data))
    assert good_end == len(data) and len(starts) == len(RECORDS)
    got = [(r.offset, r.key, r.value, r.timestamp_ms) for r in records(data, starts)]
    assert got == [(i, key, value, ts) for i, (key, value, ts) in enumerate(RECORDS)]


@pytest.mark.parametrize("seed", range(60))
def test_check_agrees_with_scan_wherever_bytes_are_damaged(seed: int) -> None:
    rng = random.Random(seed)
    data = bytearray(_log())
    if seed % 3 != 1:  # a torn tail: the last append cut short
        del data[rng.randrange(len(data) - 200, len(data)):]
    # flipped bits: none, near the end (still a torn tail, or corruption), or anywhere after the header
    low = (len(data), len(data) - 60, len(MAGIC))[seed % 3]
    for _ in range(rng.choice((1, 2)) if low < len(data) else 0):
        data[rng.randrange(low, len(data))] ^= 1 << rng.randrange(8)
    raw = bytes(data)
    ends, good_end, corrupt = _scan_verdict(raw)
    if corrupt:
        with pytest.raises(CorruptLogError, match=f"at byte offset {good_end} "):
            check(PATH, raw, len(raw))
        return
    starts, checked_end = check(PATH, raw, len(raw))
    assert checked_end == good_end
    assert list(starts) == ([len(MAGIC), *ends[:-1]] if ends else [])
