"""The wiring: one registry built from a log and settings, every use case given its collaborators.

:class:`RegistryService` owns the state writer (the state and the log) and the schema parser,
and builds each use case of :mod:`charter.registry.usecases` with only what it needs. The API,
the console and the CLI reach the use cases through its attributes (``schemas``, ``reads``,
``config``, ``modes``, ``contexts``, ``associations``, ``deletes``, ``tags``).
"""

from __future__ import annotations

from charter.compat import CompatibilityLevel
from charter.registry.log.base import SchemaLog
from charter.registry.settings import Settings
from charter.registry.store.state_writer import StateWriter
from charter.registry.usecases.associations import Associations
from charter.registry.usecases.config import Config
from charter.registry.usecases.contexts import Contexts
from charter.registry.usecases.deletes import Deletes
from charter.registry.usecases.parsing import SchemaParser
from charter.registry.usecases.reads import Reads
from charter.registry.usecases.schemas import Schemas
from charter.registry.usecases.tags import Tags


class RegistryService:
    """Every use case of one registry, over one log."""

    def __init__(self, schema_log: SchemaLog, settings: Settings) -> None:
        self.log = schema_log
        self.settings = settings
        self.writer = StateWriter(schema_log)
        self.state = self.writer.state
        self.parser = SchemaParser(settings.schema_cache_size)
        self.config = Config(self.writer, CompatibilityLevel.parse(settings.compatibility))
        self.modes = self.config.modes
        self.contexts = Contexts(self.writer)
        self.reads = Reads(self.state, self.parser)
        self.schemas = Schemas(self.writer, self.parser, self.config, self.contexts, settings.max_check_chars)
        self.associations = Associations(self.writer, self.modes, self.schemas)
        self.deletes = Deletes(self.writer, self.modes, self.reads, self.associations)
        self.tags = Tags(self.state, self.parser, self.reads, self.schemas, settings.max_schema_bytes)

    def replay(self) -> int:
        """Rebuild the state from the log; returns the number of records read."""
        return self.writer.replay()
