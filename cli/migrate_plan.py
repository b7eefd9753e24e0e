"""``charter migrate``: the plan, made before anything is written.

Comparing the source's snapshot with the target's, each source version is either already on the
target (same id and same schema: skipped, so a re-run continues where an interrupted one
stopped), to register (in dependency order: the versions its references name first), to
soft-delete (registered and live on the target, soft-deleted on the source), or a conflict: the
target holds a different schema under that subject version, or under that id in that context.
Any conflict stops the migration before the first write.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from charter.cli.migrate_read import Key, Snapshot, Version

# Asks the target whether it holds this exact version (a look-up), for texts that differ only in form.
Confirm = Callable[[Version, str], bool]


@dataclass
class Plan:
    """What a migration does; ``levels`` are the registrations, references before referrers."""

    levels: list[list[Version]] = field(default_factory=list)
    deletes: list[Version] = field(default_factory=list)
    present: int = 0
    conflicts: list[str] = field(default_factory=list)
    added_refs: list[Key] = field(default_factory=list)  # outside --subjects/--context, pulled in

    @property
    def registrations(self) -> list[Version]:
        return [v for level in self.levels for v in level]

    def delete_waves(self) -> list[list[Version]]:
        """The soft-deletes in groups, referrers before the versions they reference."""
        pending, waves = list(self.deletes), []
        while pending:
            referenced = {d for v in pending for d in v.dependencies() if d != v.key}
            wave = [v for v in pending if v.key not in referenced] or pending  # a cycle: all at once
            waves.append(wave)
            done = {v.key for v in wave}
            pending = [v for v in pending if v.key not in done]
        return waves

    @property
    def empty(self) -> bool:
        return not self.levels and not self.deletes


def with_references(selected: Snapshot, full: Snapshot | None) -> list[Key]:
    """Add to ``selected`` the versions its references need that the scope left out."""
    if full is None:
        return []
    added: list[Key] = []
    pending = list(selected.versions.values())
    while pending:
        v = pending.pop()
        for dep in v.dependencies():
            if dep not in selected.versions and dep in full.versions:
                selected.add(full.versions[dep])
                added.append(dep)
                pending.append(full.versions[dep])
    return added


def make_plan(source: Snapshot, target: Snapshot, confirm: Confirm | None = None) -> Plan:
    """The plan to bring ``target`` to ``source`` (``confirm`` settles texts that differ in form only)."""
    plan = Plan()
    ids = target.by_id()
    todo: dict[Key, Version] = {}
    for key, v in sorted(source.versions.items(), key=lambda kv: (kv[1].id, kv[0])):
        there = target.versions.get(key)
        if there is not None:
            if there.id != v.id or not _same(v, there, confirm):
                plan.conflicts.append(
                    f"subject {v.subject!r} version {v.version}: the target holds a different schema "
                    f"(source id {v.id}, target id {there.id}{'' if there.id != v.id else ', other text'})")
            elif there.deleted and not v.deleted:
                plan.conflicts.append(
                    f"subject {v.subject!r} version {v.version} (id {v.id}) is soft-deleted on the target "
                    "but live on the source")
            else:
                plan.present += 1
                if v.deleted and not there.deleted:
                    plan.deletes.append(v)
            continue
        holders = ids.get((v.context, v.id), [])
        if holders and not _same(v, holders[0], confirm):
            h = holders[0]
            plan.conflicts.append(
                f"id {v.id} (context {v.context}): the target holds a different schema under it "
                f"(subject {h.subject!r} version {h.version}) than the source's subject {v.subject!r} "
                f"version {v.version}")
            continue
        todo[key] = v
    missing = [(v.key, d) for v in todo.values() for d in v.dependencies()
               if d not in todo and d not in target.versions]
    for key, dep in missing:
        plan.conflicts.append(f"subject {key[0]!r} version {key[1]} references {dep[0]!r} version {dep[1]}, "
                              "which neither registry holds")
    plan.levels = _levels(todo)
    plan.deletes += [v for v in todo.values() if v.deleted]
    plan.deletes.sort(key=lambda v: (v.subject, v.version))
    return plan


def _same(v: Version, there: Version, confirm: Confirm | None) -> bool:
    if v.same_content(there):
        return True
    return confirm is not None and confirm(v, there.subject)


def _levels(todo: dict[Key, Version]) -> list[list[Version]]:
    """Registrations grouped by depth: a version's references are all in earlier groups."""
    depth: dict[Key, int] = {}
    for key in todo:
        stack = [key]
        while stack:
            k = stack[-1]
            if k in depth:
                stack.pop()
                continue
            deps = [d for d in todo[k].dependencies() if d in todo and d != k]
            waiting = [d for d in deps if d not in depth and d not in stack]
            if waiting:
                stack.extend(waiting)
                continue
            depth[k] = 1 + max((depth.get(d, 0) for d in deps), default=-1)
            stack.pop()
    levels: list[list[Version]] = [[] for _ in range(max(depth.values(), default=-1) + 1)]
    for key, d in depth.items():
        levels[d].append(todo[key])
    for level in levels:
        level.sort(key=lambda v: (v.id, v.subject, v.version))
    return levels


def render_plan(plan: Plan, source: Snapshot) -> str:
    """The ``--dry-run`` report: per subject the versions to copy, ids, deletes, and conflicts."""
    per_subject: dict[str, list[Version]] = {}
    for v in plan.registrations:
        per_subject.setdefault(v.subject, []).append(v)
    deletes: dict[str, int] = {}
    for v in plan.deletes:
        deletes[v.subject] = deletes.get(v.subject, 0) + 1
    lines = []
    for subject in sorted(set(per_subject) | set(deletes)):
        vs = sorted(per_subject.get(subject, []), key=lambda v: v.version)
        what = [f"{len(vs)} version(s) to copy"] if vs else []
        if vs:
            what.append(f"versions {vs[0].version}-{vs[-1].version}, ids {_ranges(sorted({v.id for v in vs}))}")
        if deletes.get(subject):
            what.append(f"{deletes[subject]} to soft-delete")
        lines.append(f"  {subject}: {'; '.join(what)}")
    regs = plan.registrations
    by_context: dict[str, list[int]] = {}
    for v in regs:
        by_context.setdefault(v.context, []).append(v.id)
    lines.append(f"plan: {len(regs)} version(s) to register in {len(per_subject)} subject(s), "
                 f"{len(plan.deletes)} to soft-delete, {plan.present} already on the target, "
                 f"{len(plan.conflicts)} conflict(s)")
    for context, ids in sorted(by_context.items()):
        lines.append(f"  context {context}: ids {_ranges(sorted(set(ids)))}")
    lines.append(f"  settings: {len(source.configs)} config scope(s), {len(source.modes)} mode scope(s)")
    if plan.added_refs:
        lines.append(f"  {len(plan.added_refs)} referenced version(s) outside the selection are included")
    lines += [f"CONFLICT {c}" for c in plan.conflicts]
    return "\n".join(lines) + "\n"


def _ranges(ids: list[int], most: int = 6) -> str:
    """``1-40, 42, 50-51`` (the first few ranges, then a count)."""
    runs: list[tuple[int, int]] = []
    for i in ids:
        if runs and i == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    text = ", ".join(f"{a}-{b}" if a != b else str(a) for a, b in runs[:most])
    return text + (f" (+{len(runs) - most} more ranges)" if len(runs) > most else "")
