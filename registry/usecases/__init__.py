"""The registry's use cases, one module per resource, each class given only its collaborators.

- :mod:`.schemas`: register, look up, check compatibility (:class:`~.schemas.Schemas`);
- :mod:`.reads`: subjects, versions, schemas by id or GUID (:class:`~.reads.Reads`);
- :mod:`.schema_list`: ``GET /schemas``;
- :mod:`.config` and :mod:`.modes`: ``/config`` and ``/mode`` (:class:`~.config.Config`);
- :mod:`.contexts`: ``/contexts`` (:class:`~.contexts.Contexts`);
- :mod:`.contracts`, :mod:`.reserved`: data contracts and reserved fields;
- :mod:`.associations`: ``/associations`` (:class:`~.associations.Associations`);
- :mod:`.tags`: schema tags (:class:`~.tags.Tags`);
- :mod:`.deletes`: soft and permanent deletes (:class:`~.deletes.Deletes`);
- :mod:`.aliases`: subject aliases;
- :mod:`.parsing`: parsing and caching schemas with their references (:class:`~.parsing.SchemaParser`).

They raise the domain errors of :mod:`charter.registry.errors`; request bodies are read and
responses shaped by the API (:mod:`charter.registry.api`). One place builds them all:
:class:`charter.registry.service.RegistryService`.
"""
