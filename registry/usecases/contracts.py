"""Data contracts: validating ``metadata`` and ``ruleSet`` and merging them as Confluent does.

A schema version may carry ``metadata`` (``tags``, ``properties``, ``sensitive``) and a ``ruleSet``
(``migrationRules``, ``domainRules``, ``encodingRules``). The registry stores and validates them
(42210 for a bad rule set); the clients execute the rules. On register, a candidate without
metadata (or rule set) inherits the latest version's (an empty ``{}`` is given, not absent: as in
Confluent it is kept, marked in the GUID, and stops that inheritance), then the config's ``defaultMetadata`` /
``defaultRuleSet`` are merged under it and ``overrideMetadata`` / ``overrideRuleSet`` over it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import orjson

from charter.registry import errors
from charter.registry.store.digest import RULE_LISTS

KINDS = ("TRANSFORM", "CONDITION")
MIGRATION_MODES = ("UPGRADE", "DOWNGRADE", "UPDOWN")
DOMAIN_MODES = ("WRITE", "READ", "WRITEREAD")
MODES = MIGRATION_MODES + DOMAIN_MODES
ACTIONS = ("NONE", "ERROR", "DLQ")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")


def _rule_error(message: str) -> errors.RegistryError:
    return errors.invalid_rule_set(message)


def _check_action(rule: str, name: str, value: Any, mode: str) -> None:
    if value is None:
        return
    if not isinstance(value, str):
        raise _rule_error(f"Rule '{rule}': {name} must be a string such as \"ERROR\"")
    parts = value.split(",")
    if len(parts) == 2 and mode not in ("UPDOWN", "WRITEREAD"):
        raise _rule_error(
            f"Rule '{rule}': {name} '{value}' is a pair of actions, which only UPDOWN and WRITEREAD "
            "rules take; give one action"
        )
    for part in parts if len(parts) <= 2 else [value]:
        if part.strip().upper() not in ACTIONS:
            raise _rule_error(
                f"Rule '{rule}': invalid {name} '{value}'. Use one of {', '.join(ACTIONS)}, or two "
                "separated by a comma (e.g. \"ERROR,NONE\") for UPDOWN and WRITEREAD rules"
            )


def _check_rule(rule: Any, where: str) -> str:
    if not isinstance(rule, dict):
        raise _rule_error(f"Each entry of {where} must be a rule object with name, kind, mode and type")
    name = rule.get("name")
    if not isinstance(name, str) or not name:
        raise _rule_error(f"A rule in {where} has no name; every rule needs a unique 'name'")
    if not _NAME.match(name):
        raise _rule_error(
            f"Invalid rule name '{name}': it must start with a letter or underscore and contain only "
            "letters, digits, '_', '-' and '.'"
        )
    kind = rule.get("kind")
    if kind is None:
        raise _rule_error(f"Rule '{name}' has no kind; use one of {', '.join(KINDS)}")
    if not isinstance(kind, str) or kind.upper() not in KINDS:
        raise _rule_error(f"Rule '{name}': invalid kind {kind!r}; use one of {', '.join(KINDS)}")
    mode = rule.get("mode")
    if mode is None:
        raise _rule_error(f"Rule '{name}' has no mode; use one of {', '.join(MODES)}")
    if not isinstance(mode, str) or mode.upper() not in MODES:
        raise _rule_error(f"Rule '{name}': invalid mode {mode!r}; use one of {', '.join(MODES)}")
    # Stored by their enum names: clients read them as case-sensitive enums.
    mode = mode.upper()
    rule["kind"], rule["mode"] = kind.upper(), mode
    if where == "migrationRules" and mode not in MIGRATION_MODES:
        raise _rule_error(
            f"Rule '{name}': migration rules can only be {', '.join(MIGRATION_MODES)}, not {mode}"
        )
    if where in ("domainRules", "encodingRules") and mode not in DOMAIN_MODES:
        raise _rule_error(f"Rule '{name}': {where} can only be {', '.join(DOMAIN_MODES)}, not {mode}")
    rule_type = rule.get("type")
    if not isinstance(rule_type, str) or not rule_type:
        raise _rule_error(f"Rule '{name}' has no type; give the executor, e.g. \"CEL\" or \"ENCRYPT\"")
    _check_action(name, "onSuccess", rule.get("onSuccess"), mode)
    _check_action(name, "onFailure", rule.get("onFailure"), mode)
    for field, kind_of in (("tags", list), ("params", dict)):
        if rule.get(field) is not None and not isinstance(rule[field], kind_of):
            raise _rule_error(f"Rule '{name}': '{field}' must be a JSON {kind_of.__name__.replace('dict', 'object')}")
    if rule.get("params"):
        bad = [k for k, v in rule["params"].items() if not isinstance(v, str)]
        if bad:
            raise _rule_error(f"Rule '{name}': params values must be strings (see {bad[0]!r})")
    for field in ("expr", "doc"):
        if rule.get(field) is not None and not isinstance(rule[field], str):
            raise _rule_error(f"Rule '{name}': '{field}' must be a string")
    if rule.get("disabled") is not None and not isinstance(rule["disabled"], bool):
        raise _rule_error(f"Rule '{name}': 'disabled' must be true or false")
    return name


def validate_rule_set(rule_set: Any, label: str = "ruleSet") -> None:
    """Raise 42210 with a message naming the bad field when the rule set is not valid. Rule kinds
    and modes given in lower case are upper-cased in place (they are enums to every client)."""
    if rule_set is None:
        return
    if not isinstance(rule_set, dict):
        raise _rule_error(f"'{label}' must be an object with migrationRules, domainRules or encodingRules")
    names: set[str] = set()
    for where in RULE_LISTS:
        rules = rule_set.get(where)
        if rules is None:
            continue
        if not isinstance(rules, list):
            raise _rule_error(f"'{label}.{where}' must be a list of rules")
        for rule in rules:
            name = _check_rule(rule, where)
            if name in names:
                raise _rule_error(f"Found rule with duplicate name '{name}'; rule names must be unique")
            names.add(name)


def validate_metadata(metadata: Any, label: str = "metadata") -> None:
    """HTTP 400 when metadata is not ``{"tags": {path: [tag]}, "properties": {k: v}, "sensitive": [..]}``.

    A number or boolean property value is turned into its text in place, as Confluent reads it."""
    if metadata is None:
        return
    if not isinstance(metadata, dict):
        raise errors.bad_request(f"'{label}' must be an object with tags, properties and sensitive")
    tags, props, sensitive = metadata.get("tags"), metadata.get("properties"), metadata.get("sensitive")
    if tags is not None and not (
        isinstance(tags, dict)
        and all(isinstance(v, list) and all(isinstance(t, str) for t in v) for v in tags.values())
    ):
        raise errors.bad_request(f"'{label}.tags' must map a field path to a list of tag strings")
    if isinstance(props, dict):  # Jackson reads a number or boolean as its text into Map<String, String>
        for key, value in props.items():
            if isinstance(value, (bool, int, float)):
                props[key] = orjson.dumps(value).decode()
    if props is not None and not (isinstance(props, dict) and all(isinstance(v, str) for v in props.values())):
        raise errors.bad_request(f"'{label}.properties' must map names to string values")
    if sensitive is not None and not (isinstance(sensitive, list) and all(isinstance(v, str) for v in sensitive)):
        raise errors.bad_request(f"'{label}.sensitive' must be a list of property names")


def as_stored(part: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Metadata or a rule set as Confluent keeps and writes it: ``Metadata`` and ``RuleSet`` are
    ``@JsonInclude(NON_EMPTY)``, so a null or empty member is left out, while the object itself,
    once given, stays (``{}`` is present, not absent: it is marked in the GUID and shown)."""
    if part is None:
        return None
    return {k: v for k, v in part.items() if v is not None and v != {} and v != []}


def merge_metadata(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Confluent's ``Metadata.mergeMetadata``: tags and properties by key (new wins), sensitive
    united. Only an absent side yields the other; an empty one still makes the result present."""
    if old is None:
        return dict(new) if new is not None else None
    if new is None:
        return dict(old)
    out: dict[str, Any] = {}
    for name in ("tags", "properties"):
        merged = {**(old.get(name) or {}), **(new.get(name) or {})}
        if merged:
            out[name] = merged
    sensitive = list(dict.fromkeys([*(old.get("sensitive") or []), *(new.get("sensitive") or [])]))
    if sensitive:
        out["sensitive"] = sensitive
    return out


def merge_rule_sets(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Confluent's ``RuleSet.mergeRuleSets``: per list, old rules not renamed by new ones, then the
    new; ``enableAt`` the new one's, else the old. As for metadata, only an absent side is skipped."""
    if old is None:
        return dict(new) if new is not None else None
    if new is None:
        return dict(old)
    out: dict[str, Any] = {}
    for where in RULE_LISTS:
        old_rules, new_rules = old.get(where) or [], new.get(where) or []
        names = {r.get("name") for r in new_rules if isinstance(r, dict)}
        merged = [r for r in old_rules if not (isinstance(r, dict) and r.get("name") in names)] + list(new_rules)
        if merged:
            out[where] = merged
    enable_at = new.get("enableAt") if new.get("enableAt") is not None else old.get("enableAt")
    if enable_at is not None:
        out["enableAt"] = enable_at
    return out


def effective_contract(
    metadata: dict[str, Any] | None,
    rule_set: dict[str, Any] | None,
    previous: tuple[dict[str, Any] | None, dict[str, Any] | None] | None,
    config: Mapping[str, Any],
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The metadata and rule set a new version gets: its own (else the previous version's), with the
    config defaults merged under and the overrides over it."""
    if previous is not None:
        metadata = metadata if metadata is not None else previous[0]
        rule_set = rule_set if rule_set is not None else previous[1]
    metadata = merge_metadata(merge_metadata(config.get("defaultMetadata"), metadata), config.get("overrideMetadata"))
    rule_set = merge_rule_sets(merge_rule_sets(config.get("defaultRuleSet"), rule_set), config.get("overrideRuleSet"))
    return metadata, rule_set


def matches_properties(metadata: Mapping[str, Any] | None, wanted: Mapping[str, str]) -> bool:
    """True when every wanted key has that value among the metadata's properties."""
    props = (metadata or {}).get("properties") or {}
    return all(props.get(k) == v for k, v in wanted.items())


def group_value(metadata: Mapping[str, Any] | None, group: str) -> Any:
    """The value of the ``compatibilityGroup`` property (None when absent)."""
    return ((metadata or {}).get("properties") or {}).get(group)


# ---- confluent:version (Confluent's Metadata.CONFLUENT_VERSION) -----------------------------

CONFLUENT_VERSION = "confluent:version"


def confluent_version_text(metadata: Mapping[str, Any] | None) -> str | None:
    """The ``confluent:version`` property as given (None when absent)."""
    value = ((metadata or {}).get("properties") or {}).get(CONFLUENT_VERSION)
    return value if isinstance(value, str) else None


def confluent_version(metadata: Mapping[str, Any] | None) -> int | None:
    """``Metadata.getConfluentVersionNumber``: the property as a number (None when absent or not one)."""
    text = confluent_version_text(metadata)
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


def with_confluent_version(metadata: Mapping[str, Any] | None, version: int) -> dict[str, Any]:
    """``Metadata.setConfluentVersion``: the metadata with ``confluent:version`` set to ``version``."""
    out = dict(metadata or {})
    out["properties"] = {**(out.get("properties") or {}), CONFLUENT_VERSION: str(version)}
    return out


def _without_confluent_version(metadata: Mapping[str, Any] | None) -> dict[str, Any]:
    out = dict(metadata or {})
    props = {k: v for k, v in (out.get("properties") or {}).items() if k != CONFLUENT_VERSION}
    out["properties"] = props
    return out


def _same_metadata(a: Mapping[str, Any] | None, b: Mapping[str, Any] | None) -> bool:
    """Equal as Confluent's sorted ``Metadata`` (absent and empty collections alike)."""
    def key(m: Mapping[str, Any] | None) -> tuple[Any, ...]:
        m = m or {}
        tags = {p: sorted(set(t)) for p, t in (m.get("tags") or {}).items()}
        return (tags, dict(m.get("properties") or {}), sorted(set(m.get("sensitive") or [])))
    return key(a) == key(b)


def metadata_can_look_up(
    candidate: Mapping[str, Any] | None, stored: Mapping[str, Any] | None, stored_version: int
) -> bool:
    """Confluent's ``AbstractSchemaProvider.canLookupIgnoringVersion`` on the metadata: a candidate
    without ``confluent:version`` finds a version that has one (ignoring it), a candidate with one
    finds a version without it only when it names that version; otherwise all must be equal."""
    mine, theirs = confluent_version(candidate), confluent_version(stored)
    if mine is None and theirs is not None:
        return _same_metadata(candidate, _without_confluent_version(stored))
    if mine is not None and theirs is None:
        return mine == stored_version and _same_metadata(_without_confluent_version(candidate), stored)
    # Both with confluent:version, or neither: ``ParsedSchema.equivalent``'s Objects.equals, so
    # absent metadata and an empty one differ (the two branches above make an absent one empty).
    return (candidate is None) == (stored is None) and _same_metadata(candidate, stored)
