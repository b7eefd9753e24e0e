"""Compatibility configuration and modes, global and per subject (``/config`` and ``/mode``).

Reads resolve a subject's effective setting (subject, then its context's settings, stored under
the subject ``:.ctx:``, then global, then the server default);
writes are CONFIG and MODE records through the shared :class:`StateWriter`. Request bodies are
read into a :class:`ConfigUpdate` or a :class:`Mode` by the API (:mod:`charter.registry.api.bodies`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from charter.compat import CompatibilityLevel
from charter.registry import errors
from charter.registry.store.records import config_key, mode_key
from charter.registry.store.state_writer import StateWriter
from charter.registry.usecases.modes import Mode, ModeRules, scopes

log = logging.getLogger(__name__)

POLICIES = ("STRICT", "LENIENT", "LOGICAL")


@dataclass(frozen=True)
class ConfigUpdate:
    """A validated ``ConfigUpdateRequest`` (read by :func:`charter.registry.api.bodies.read_config_update`)."""

    level: str | None  # a CompatibilityLevel value, or None when not given
    fields: dict[str, Any]  # every other field given, None ones left out


class Config:
    """Compatibility configuration and modes, global and per subject."""

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

    async def set_config(self, subject: str | None, update: ConfigUpdate) -> None:
        """``PUT /config``: the update merged over the scope's stored config, as one CONFIG record."""
        async with self.writer.lock:
            value = {k: v for k, v in (self.state.configs.get(subject) or {}).items()}
            if update.level is not None:
                value["compatibilityLevel"] = update.level
            value.update(update.fields)
            if subject is not None:
                value = {"subject": subject, **value}
            await self.writer.write([(config_key(subject), value)])

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

    async def set_mode(self, subject: str | None, mode: Mode, force: bool) -> None:
        """``PUT /mode``: IMPORT only on an empty scope unless ``force`` (see modes)."""
        async with self.writer.lock:
            self.modes.check_can_set(subject, mode, force)
            value: dict[str, Any] = {"mode": mode.value}
            if subject is not None:
                value = {"subject": subject, **value}
            await self.writer.write([(mode_key(subject), value)])

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
