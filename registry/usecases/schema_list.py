"""``GET /schemas``: every subject version matching Confluent's list filters.

- ``subjectPrefix`` (``:*:`` for every context), ``deleted``, ``latestOnly``: as for subjects.
- ``ruleType``: only versions whose rule set has a rule of that type (``ENCRYPT``, ``CEL``…) in
  any of its migration, domain or encoding rules.
- ``resourceType``, ``associationType``, ``lifecycle``: only subjects with an association that
  matches all the given ones (``/associations``).
- ``aliases=true``: alias subjects (config ``alias``) that match the prefix bring in the schemas of
  the subject they stand for, and each version lists the subjects that alias its subject under
  ``aliases`` (Confluent's ``ExtendedSchema``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from charter.registry.contexts import matches_prefix
from charter.registry.store.state import RegistryState, SubjectVersion
from charter.registry.usecases.aliases import alias_of, resolve_alias
from charter.registry.usecases.associations import Associations
from charter.registry.usecases.contracts import RULE_LISTS


@dataclass(frozen=True)
class SchemaFilter:
    prefix: str = ""
    deleted: bool = False
    latest_only: bool = False
    rule_type: str | None = None
    resource_type: str | None = None
    association_type: str | None = None
    lifecycle: str | None = None
    aliases: bool = False


def has_rule_type(rule_set: Any, rule_type: str) -> bool:
    if not isinstance(rule_set, dict):
        return False
    return any(
        isinstance(rule, dict) and rule.get("type") == rule_type
        for kind in RULE_LISTS
        for rule in (rule_set.get(kind) if isinstance(rule_set.get(kind), list) else ())
    )


def _associated(associations: Associations, wanted: SchemaFilter) -> Callable[[str], bool]:
    if not (wanted.resource_type or wanted.association_type or wanted.lifecycle):
        return lambda subject: True
    found = associations.find(
        resource_type=wanted.resource_type,
        association_types=[wanted.association_type] if wanted.association_type else None,
        lifecycle=wanted.lifecycle,
    )
    subjects = {value["subject"] for value in found}
    return subjects.__contains__


def list_schemas(
    state: RegistryState, associations: Associations, wanted: SchemaFilter
) -> Iterator[tuple[SubjectVersion, list[str]]]:
    """The matching versions, by subject then version, each with the subjects aliasing it."""
    configs = state.configs
    aliased_by: dict[str, list[str]] = {}
    if wanted.aliases:
        for name in sorted(k for k in configs if k is not None):
            if alias_of(configs, name) is not None:
                aliased_by.setdefault(resolve_alias(configs, name), []).append(name)
    subjects = {s for s in state.subjects if matches_prefix(s, wanted.prefix)}
    for target, names in aliased_by.items():
        if any(matches_prefix(name, wanted.prefix) for name in names):
            subjects.add(target)
    associated = _associated(associations, wanted)
    for subject in sorted(subjects):
        if not associated(subject):
            continue
        versions = state.versions(subject, include_deleted=wanted.deleted)
        if wanted.rule_type:
            versions = [sv for sv in versions if has_rule_type(sv.schema.rule_set, wanted.rule_type)]
        if wanted.latest_only:
            versions = versions[-1:]
        for sv in versions:
            yield sv, aliased_by.get(subject, [])
