"""``charter migrate --verify``: both registries compared subject by subject.

For each subject of the source (in the selection): the same versions on the target with the same
ids, texts (or JSON-equal texts), types, references, GUIDs (when both registries give them),
metadata, rule sets and soft-deleted state; then the config and mode of every scope (the global
mode excepted: the target keeps its own). The report has one line per subject and a summary;
differences make the exit code 1, as an incompatible schema does for ``charter check``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from charter.cli.migrate_read import Snapshot, Version, config_body


@dataclass
class Verdict:
    subject: str
    versions: int
    problems: list[str] = field(default_factory=list)


def _version_problems(v: Version, there: Version | None) -> list[str]:
    if there is None:
        return [f"version {v.version} (id {v.id}) is missing on the target"]
    out = []
    if there.id != v.id:
        out.append(f"version {v.version}: id {v.id} on the source, {there.id} on the target")
    if not v.same_content(there):
        out.append(f"version {v.version}: the schema differs")
    if v.guid and there.guid and v.guid != there.guid:
        out.append(f"version {v.version}: guid {v.guid} on the source, {there.guid} on the target")
    if (v.metadata, v.rule_set) != (there.metadata, there.rule_set):
        out.append(f"version {v.version}: metadata or rule set differ")
    if v.deleted != there.deleted:
        state = "soft-deleted" if v.deleted else "live"
        out.append(f"version {v.version}: {state} on the source, not on the target")
    return out


def compare(source: Snapshot, target: Snapshot) -> list[Verdict]:
    """One verdict per source subject, then one for the settings (subject ``(settings)``)."""
    verdicts: dict[str, Verdict] = {}
    for key, v in sorted(source.versions.items()):
        verdict = verdicts.setdefault(v.subject, Verdict(v.subject, 0))
        verdict.versions += 1
        verdict.problems += _version_problems(v, target.versions.get(key))
    for key, there in target.versions.items():
        if there.subject in verdicts and key not in source.versions:
            verdicts[there.subject].problems.append(f"version {there.version} (id {there.id}) is only on the target")
    settings = Verdict("(settings)", 0)
    for scope in sorted(set(source.configs) | set(target.configs), key=lambda s: s or ""):
        mine, theirs = config_body(source.configs.get(scope) or {}), config_body(target.configs.get(scope) or {})
        if mine != theirs:
            where = scope or "the registry"
            settings.problems.append(f"config of {where}: {mine} on the source, {theirs} on the target")
    for scope in sorted((set(source.modes) | set(target.modes)) - {None}, key=str):
        if source.modes.get(scope) != target.modes.get(scope):
            settings.problems.append(f"mode of {scope}: {source.modes.get(scope)} on the source, "
                                     f"{target.modes.get(scope)} on the target")
    return [*verdicts.values(), settings]


def render(verdicts: list[Verdict]) -> str:
    lines = []
    for v in verdicts:
        if v.problems:
            lines.append(f"DIFF  {v.subject}")
            lines += [f"      {p}" for p in v.problems]
        elif v.subject != "(settings)":
            lines.append(f"ok    {v.subject}: {v.versions} version(s)")
        else:
            lines.append("ok    (settings): configs and modes match")
    *subjects, settings = verdicts
    bad = sum(1 for v in subjects if v.problems)
    total = sum(v.versions for v in subjects)
    lines.append(f"verify: {len(subjects)} subject(s), {total} version(s) compared; {bad} with differences; "
                 f"{len(settings.problems)} setting difference(s)")
    return "\n".join(lines) + "\n"
