"""The single writer's term (registry/cluster/term.py): a claim survives only within one term of one writer."""

from __future__ import annotations

from charter.registry.cluster.term import Term


def test_a_claim_holds_only_in_the_term_and_writer_it_was_made_in() -> None:
    term = Term()
    assert not term.claim() and not term.writable  # not elected
    term.set_elected(True)
    assert not term.claim() and term.promotion_barrier == -1  # elected, writer not started
    term.writer_started(term.number, barrier=7)
    assert term.writable and term.promotion_barrier == 7 and term.last_write[0] == 7
    assert term.claim() and term.holds_claim()
    term.set_elected(False)  # a rebalance
    term.set_elected(True)  # elected again: a new term, the old claim is void
    assert not term.holds_claim() and not term.writable
    term.writer_started(term.number, barrier=9)
    assert not term.holds_claim() and term.claim() and term.holds_claim()


def test_an_unknown_outcome_makes_the_writer_stale_until_it_restarts() -> None:
    term = Term()
    term.set_elected(True)
    term.writer_started(term.number, barrier=1)
    term.wrote(5)
    term.mark_stale()
    assert term.writable and not term.ready and not term.claim() and term.promotion_barrier == -1
    term.writer_started(term.number, barrier=6)
    assert term.ready and term.claim() and term.last_write[0] == 6


def test_fenced_stops_writing_and_asks_for_an_election() -> None:
    term, asked = Term(), []
    term.on_fenced = lambda: asked.append(True)
    term.set_elected(True)
    term.writer_started(term.number, barrier=0)
    term.fenced()
    assert not term.elected and not term.writable and asked == [True]
