"""Charter's web console, served by the registry itself at ``/ui``.

Server-rendered HTML (Jinja2 templates shipped in this package, a stylesheet and a few lines of
vanilla JavaScript; nothing from a CDN, everything works offline). Pages read the same
use cases (:mod:`charter.registry.usecases`) the JSON API uses, so what the console
shows is what the API answers; its one write, "Register" on the check page, calls the same
``schemas.register`` (mode checks and compatibility included). See :mod:`.routes`.
"""

from charter.registry.ui.routes import routes

__all__ = ["routes"]
