"""Compatibility configuration and modes, global and per subject (``/config`` and ``/mode``).

Reads resolve a subject's effective setting (subject, then its context's settings, stored under
the subject ``:.ctx:``, then global, then the server default);
writes are CONFIG and MODE records through the shared :class:`StateWriter`.
"""

from __future__ import annotations

import logging
from typing import Any

from charter.compat import CompatibilityLevel
from charter.registry import errors
from charter.registry.contexts import canonical_subject
from charter.registry.contracts import validate_metadata, validate_rule_set
from charter.registry.modes import Mode, ModeRules, scopes
from charter.registry.records import config_key, mode_key
from charter.registry.store.state_writer import StateWriter

log = logging.getLogger(__name__)

POLICIES = ("STRICT", "LENIENT", "LOGICAL")


class ConfigService:
    def __init__(self, writer: StateWriter, default_level: CompatibilityLevel) -> None:
        self.writer = writer
        self.state = writer.state
        self.modes = ModeRules(writer.state)
        self.default_level = default_level

    # ---- config ------------------------------------------------------------------------

    def compatibility_level(self, subject: str | None) -> CompatibilityLevel:
        for scope in scopes(subject):
            level = self.state.configs.get(scope, {}).get("compatibilityLevel")
            if level:
                try:
                    return CompatibilityLevel.parse(level)
                except ValueError:
                    log.warning("ignoring stored compatibility level %r", level)
        return self.default_level

    def config_value(self, subject: str | None, name: str) -> Any:
        """A config field as it applies to a subject: the subject's, its context's, the global one, or None."""
        for scope in scopes(subject):
            value = self.state.configs.get(scope, {}).get(name)
            if value is not None:
                return value
        return None

    def config_flag(self, subject: str | None, name: str) -> bool:
        return bool(self.config_value(subject, name))

    def compatibility_policy(self, subject: str | None) -> str:
        """Confluent's ``compatibilityPolicy`` (STRICT unless configured)."""
        value = self.config_value(subject, "compatibilityPolicy")
        return value.upper() if isinstance(value, str) else "STRICT"

    def get_config(self, subject: str | None, default_to_global: bool) -> dict[str, Any]:
        if subject is not None:
            stored = self.state.configs.get(subject)
            if stored is None:
                if not default_to_global:
                    raise errors.subject_compatibility_not_configured(subject)
                return self.get_config(scopes(subject)[1], default_to_global)
            return _config_view(stored)
        stored = self.state.configs.get(None) or {}
        view = _config_view(stored)
        view.setdefault("compatibilityLevel", self.default_level.value)
        return view

    async def set_config(self, subject: str | None, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise errors.bad_request('The body must be a JSON object such as {"compatibility": "FULL"}')
        update = dict(body)
        level = update.pop("compatibility", None)
        if "compatibilityLevel" in update:  # accepted for symmetry with GET
            level = level or update.pop("compatibilityLevel")
        if level is not None:
            if not isinstance(level, str):
                raise errors.invalid_compatibility_level(level)
            try:
                level = CompatibilityLevel.parse(level).value
            except ValueError:
                raise errors.invalid_compatibility_level(level) from None
        policy = update.get("compatibilityPolicy")
        if policy is not None:
            if not isinstance(policy, str) or policy.upper() not in POLICIES:
                raise errors.RegistryError(
                    422, 42203, f"Invalid compatibility policy {policy!r}. Valid values are {', '.join(POLICIES)}"
                )
            update["compatibilityPolicy"] = policy.upper()
        for name in ("defaultMetadata", "overrideMetadata"):
            validate_metadata(update.get(name), name)
        for name in ("defaultRuleSet", "overrideRuleSet"):
            validate_rule_set(update.get(name), name)
        for name in ("compatibilityGroup", "alias"):
            if update.get(name) is not None and not isinstance(update[name], str):
                raise errors.bad_request(f"'{name}' must be a string")
        if update.get("alias"):
            update["alias"] = canonical_subject(update["alias"])  # 42208 for a malformed context
        for flag in ("normalize", "validateFields", "validateRules"):
            if flag in update and update[flag] is not None and not isinstance(update[flag], bool):
                raise errors.bad_request(f"'{flag}' must be true or false")
        async with self.writer.lock:
            value = {k: v for k, v in (self.state.configs.get(subject) or {}).items()}
            if level is not None:
                value["compatibilityLevel"] = level
            value.update({k: v for k, v in update.items() if v is not None})
            if subject is not None:
                value = {"subject": subject, **value}
            await self.writer.write([(config_key(subject), value)])
        echo = {"compatibility": level} if level is not None else {}
        echo.update({k: v for k, v in update.items() if v is not None})
        return echo

    async def delete_config(self, subject: str | None) -> dict[str, Any]:
        async with self.writer.lock:
            stored = self.state.configs.get(subject)
            if subject is not None and stored is None:
                if subject not in self.state.subjects:
                    raise errors.subject_not_found(subject)
                raise errors.subject_compatibility_not_configured(subject)
            old = self.get_config(subject, True)
            if stored is not None:
                await self.writer.write([(config_key(subject), None)])
        return old

    # ---- mode --------------------------------------------------------------------------

    def get_mode(self, subject: str | None, default_to_global: bool) -> str:
        if subject is None:
            return self.state.modes.get(None, Mode.READWRITE.value)
        mode = self.state.modes.get(subject)
        if mode is None:
            if not default_to_global:
                raise errors.subject_mode_not_configured(subject)
            return self.get_mode(scopes(subject)[1], default_to_global)
        return mode

    async def set_mode(self, subject: str | None, body: Any, force: bool) -> str:
        if not isinstance(body, dict):
            raise errors.bad_request('The request body must be a JSON object such as {"mode": "READONLY"}')
        mode = Mode.parse(body.get("mode"))
        async with self.writer.lock:
            self.modes.check_can_set(subject, mode, force)
            value: dict[str, Any] = {"mode": mode.value}
            if subject is not None:
                value = {"subject": subject, **value}
            await self.writer.write([(mode_key(subject), value)])
        return mode.value

    async def delete_mode(self, subject: str | None) -> str:
        async with self.writer.lock:
            if subject is not None and subject not in self.state.modes:
                if subject not in self.state.subjects:
                    raise errors.subject_not_found(subject)
                raise errors.subject_mode_not_configured(subject)
            old = self.get_mode(subject, True)
            if subject in self.state.modes:
                await self.writer.write([(mode_key(subject), None)])
        return old


def _config_view(stored: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in stored.items() if k != "subject"}
