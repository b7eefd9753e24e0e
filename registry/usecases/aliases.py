"""Subject aliases: config ``alias`` makes a subject a second name for another subject.

``PUT /config/S {"alias": "T"}`` makes every schema operation on ``S`` act on ``T``, as in
Confluent: reads (``GET /subjects/S/versions``, ``/versions/{v}``, ``/metadata``), lookup
(``POST /subjects/S``), compatibility checks, and registration (``POST /subjects/S/versions``, so
a serializer configured with the alias name registers under and reads from ``T``), and the
context a ``?subject=S`` id lookup uses. Only the alias's own settings stay on ``S``: its config
(that is where the alias lives, so it can be changed or removed), its mode, and deletes, which
never follow an alias.

Only a subject's own config holds an alias (a context or global ``alias`` is ignored: it would
rename every subject). Aliases chain (``S -> T -> U``); a loop stops at the last subject before
it repeats, so ``A -> B -> A`` makes ``A`` read ``B`` and ``B`` read ``A``, as a single hop would.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

log = logging.getLogger(__name__)

# More hops than any sensible chain; a longer one is treated like a loop.
MAX_HOPS = 16


def alias_of(configs: Mapping[str | None, Mapping[str, Any]], subject: str) -> str | None:
    """The alias a subject's own config sets (None when it has none)."""
    alias = (configs.get(subject) or {}).get("alias")
    return alias if isinstance(alias, str) and alias else None


def resolve_alias(configs: Mapping[str | None, Mapping[str, Any]], subject: str) -> str:
    """The subject ``subject`` stands for: itself, or the end of its alias chain."""
    current = subject
    seen = {subject}
    for _ in range(MAX_HOPS):
        alias = alias_of(configs, current)
        if alias is None or alias in seen:
            if alias is not None:
                log.warning("subject alias loop at %r (from %r): using %r", alias, subject, current)
            return current
        seen.add(alias)
        current = alias
    log.warning("subject alias chain from %r is longer than %d hops: using %r", subject, MAX_HOPS, current)
    return current
