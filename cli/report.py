"""The results of ``charter check`` and their output formats: text, json, junit and github.

``text`` is for people (subject, level, the earlier version it breaks, each break with its path
and a fix); ``json`` for scripts; ``junit`` for CI test reports; ``github`` prints GitHub Actions
workflow commands (``::error file=...,line=...::``) that annotate the pull request.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from xml.etree import ElementTree as ET

from charter.cli.common import EXIT_INCOMPATIBLE, EXIT_OK, EXIT_USAGE
from charter.cli.explain import Break

FORMATS = ("text", "json", "junit", "github")


@dataclass
class Violation:
    """The breaks against one earlier version (registry version, git revision or file)."""

    against: str
    breaks: list[Break]


@dataclass
class Outcome:
    """The verdict for one subject/file."""

    subject: str
    file: str
    schema_type: str
    level: str
    status: str  # compatible | incompatible | first | invalid
    against: str = ""
    note: str = ""
    violations: list[Violation] = field(default_factory=list)
    error_line: int | None = None

    @property
    def exit_code(self) -> int:
        return {"incompatible": EXIT_INCOMPATIBLE, "invalid": EXIT_USAGE}.get(self.status, EXIT_OK)

    def to_dict(self) -> dict[str, Any]:
        return {
            "subject": self.subject, "file": self.file, "type": self.schema_type, "level": self.level,
            "status": self.status, "compatible": self.status in ("compatible", "first"),
            "against": self.against, "note": self.note, "line": self.error_line,
            "violations": [{"against": v.against, "breaks": [b.to_dict() for b in v.breaks]}
                           for v in self.violations],
        }


def exit_code(outcomes: list[Outcome]) -> int:
    """The worst verdict: 2 (an invalid schema) over 1 (incompatible) over 0."""
    return max((o.exit_code for o in outcomes), default=EXIT_OK)


def render(outcomes: list[Outcome], fmt: str) -> str:
    """The report for ``outcomes`` in ``fmt`` (one of :data:`FORMATS`)."""
    return {"text": render_text, "json": render_json, "junit": render_junit, "github": render_github}[fmt](outcomes)


def _where(path: str, line: int | None) -> str:
    return f"{path}:{line}" if line else path


def render_text(outcomes: list[Outcome]) -> str:
    lines: list[str] = []
    for o in outcomes:
        head = f"{o.subject} ({o.file}, {o.schema_type}, {o.level})"
        if o.status == "compatible":
            lines.append(f"ok    {head}: compatible with {o.against}")
        elif o.status == "first":
            lines.append(f"ok    {head}: {o.note}")
        elif o.status == "invalid":
            lines.append(f"ERROR {head}: invalid schema")
            lines.append(f"      {o.note}")
        else:
            lines.append(f"FAIL  {head}: incompatible")
            for v in o.violations:
                lines.append(f"      breaks {v.against}:")
                for b in v.breaks:
                    lines.append(f"        {b.where}: {b.summary} [{b.error_type}]")
                    lines.append(f"          fix: {b.hint}")
                    if b.line:
                        lines.append(f"          at {_where(o.file, b.line)}")
    counts = {s: sum(1 for o in outcomes if o.status == s) for s in ("compatible", "first", "incompatible", "invalid")}
    total = len(outcomes)
    summary = (f"{total} schema{'s' if total != 1 else ''} checked: {counts['compatible'] + counts['first']} "
               f"compatible, {counts['incompatible']} incompatible, {counts['invalid']} invalid")
    lines.append(summary)
    return "\n".join(lines) + "\n"


def render_json(outcomes: list[Outcome]) -> str:
    body = {"compatible": exit_code(outcomes) == EXIT_OK, "exit_code": exit_code(outcomes),
            "results": [o.to_dict() for o in outcomes]}
    return json.dumps(body, indent=2) + "\n"


def _failure_text(o: Outcome) -> str:
    out: list[str] = []
    for v in o.violations:
        out.append(f"breaks {v.against}:")
        for b in v.breaks:
            out.append(f"  {b.where}: {b.summary} [{b.error_type}]")
            out.append(f"    {b.description}")
            out.append(f"    fix: {b.hint}")
    return "\n".join(out)


def render_junit(outcomes: list[Outcome]) -> str:
    failures = sum(1 for o in outcomes if o.status == "incompatible")
    errors = sum(1 for o in outcomes if o.status == "invalid")
    suites = ET.Element("testsuites", name="charter check", tests=str(len(outcomes)),
                        failures=str(failures), errors=str(errors))
    suite = ET.SubElement(suites, "testsuite", name="schema compatibility", tests=str(len(outcomes)),
                          failures=str(failures), errors=str(errors))
    for o in outcomes:
        case = ET.SubElement(suite, "testcase", classname=f"charter.{o.level}", name=f"{o.subject} ({o.file})",
                             file=o.file)
        if o.status == "incompatible":
            count = sum(len(v.breaks) for v in o.violations)
            failure = ET.SubElement(case, "failure", type="incompatible",
                                    message=f"{count} incompatible change(s) at level {o.level}")
            failure.text = _failure_text(o)
        elif o.status == "invalid":
            first_line = o.note.splitlines()[0] if o.note else ""
            error = ET.SubElement(case, "error", type="invalid-schema", message=first_line)
            error.text = o.note
        else:
            out = ET.SubElement(case, "system-out")
            out.text = o.note or f"compatible with {o.against}"
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_prop(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(level: str, file: str, line: int | None, title: str, message: str) -> str:
    """One GitHub Actions workflow command (``::error file=...,line=...,title=...::message``)."""
    props = [f"file={_escape_prop(file)}"]
    if line:
        props.append(f"line={line}")
    props.append(f"title={_escape_prop(title)}")
    return f"::{level} {','.join(props)}::{_escape_data(message)}"


def render_github(outcomes: list[Outcome]) -> str:
    lines: list[str] = []
    for o in outcomes:
        if o.status == "incompatible":
            for v in o.violations:
                for b in v.breaks:
                    lines.append(annotation(
                        "error", o.file, b.line, f"Incompatible schema change ({o.subject}, {o.level})",
                        f"{b.where}: {b.summary} (breaks {v.against}). Fix: {b.hint}"))
        elif o.status == "invalid":
            lines.append(annotation("error", o.file, o.error_line, f"Invalid schema ({o.subject})", o.note))
        elif o.status == "first":
            lines.append(annotation("notice", o.file, None, f"Schema check ({o.subject})", o.note))
    return "\n".join(lines) + ("\n" if lines else "")
