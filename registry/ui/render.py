"""Rendering helpers for the console: templates, pretty-printing, syntax highlighting, links.

Highlighting is done here, server-side: the schema text is split into tokens with a regular
expression and each token is wrapped in a ``<span class="tok-...">`` (escaped first), so the
browser needs no script to show it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape
from starlette.responses import HTMLResponse

from charter.compat.formats import get_format

HERE = Path(__file__).parent
PREFIX = "/ui"

_JSON_TOKENS = re.compile(
    r'(?P<key>"(?:[^"\\]|\\.)*"(?=\s*:))|(?P<str>"(?:[^"\\]|\\.)*")|(?P<num>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)'
    r"|(?P<lit>\btrue\b|\bfalse\b|\bnull\b)|(?P<punct>[{}\[\],:])"
)
_PROTO_TOKENS = re.compile(
    r"(?P<com>//[^\n]*|/\*.*?\*/)|(?P<str>\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*')"
    r"|(?P<kw>\b(?:syntax|edition|package|import|public|weak|option|message|enum|service|rpc|returns|stream"
    r"|oneof|map|repeated|optional|required|reserved|extend|extensions|to|max)\b)"
    r"|(?P<type>\b(?:double|float|int32|int64|uint32|uint64|sint32|sint64|fixed32|fixed64|sfixed32|sfixed64"
    r"|bool|string|bytes)\b)|(?P<num>\b\d+\b)|(?P<punct>[{}\[\];=<>(),])",
    re.S,
)
_CLASSES = {"key": "k", "str": "s", "num": "n", "lit": "l", "punct": "p", "com": "c", "kw": "kw", "type": "t"}


def _is_json(schema_type: str | None) -> bool:
    try:
        return get_format(schema_type).text_is_json
    except KeyError:
        return True


def pretty(schema_type: str, text: str) -> str:
    """The schema as people read it: a JSON text (Avro, JSON Schema) indented by two, other
    formats' text (Protobuf) as stored."""
    if _is_json(schema_type):
        try:
            return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
        except ValueError:
            return text
    return text


def highlight(schema_type: str, text: str) -> Markup:
    """HTML for ``text`` with tokens wrapped in spans (all text escaped)."""
    pattern = _JSON_TOKENS if _is_json(schema_type) else _PROTO_TOKENS
    out: list[str] = []
    pos = 0
    for match in pattern.finditer(text):
        out.append(str(escape(text[pos:match.start()])))
        kind = match.lastgroup or ""
        out.append(f'<span class="tok-{_CLASSES.get(kind, kind)}">{escape(match.group())}</span>')
        pos = match.end()
    out.append(str(escape(text[pos:])))
    return Markup("".join(out))


def pretty_json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True)


def subject_url(subject: str, *rest: object) -> str:
    """``/ui/subjects/<subject>/...`` with the subject escaped (a ``/`` in it becomes ``%2F``)."""
    tail = "".join(f"/{quote(str(part), safe='')}" for part in rest)
    return f"{PREFIX}/subjects/{quote(subject, safe='')}{tail}"


def _query(**params: Any) -> str:
    from urllib.parse import urlencode

    return urlencode({k: v for k, v in params.items() if v not in (None, "", False)})


env = Environment(
    loader=FileSystemLoader(str(HERE / "templates")),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
env.globals.update(
    prefix=PREFIX, subject_url=subject_url, highlight=highlight, pretty=pretty, pretty_json=pretty_json,
    query=_query,
)


def page(template: str, status: int = 200, headers: dict[str, str] | None = None, **context: Any) -> HTMLResponse:
    """Render a template into an HTML response."""
    html = env.get_template(template).render(**context)
    return HTMLResponse(html, status_code=status, headers=headers)


def error_page(status: int, title: str, message: str, code: int | None = None) -> HTMLResponse:
    """A plain "not found" / "refused" page: the registry's message, never a stack trace."""
    return page("error.html", status, title=title, message=message, code=code)
