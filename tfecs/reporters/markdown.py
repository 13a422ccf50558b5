"""A pull-request comment (GitHub and GitLab flavoured Markdown), rendered from the JSON
report (schema v1) so that a saved `tfecs scan --format json` file renders later
(`tfecs comment`).

Every string of the report is hostile (resource and container names come from the plan,
a saved report may come from anyone): each is written with HTML entities for every
character Markdown or HTML would act on, after control characters are made visible, so
a `|`, a backtick, `<script>`, `@team` or an ANSI escape cannot break the table, open a
tag or ping anyone. Never longer than `max_chars` (GitHub refuses comments over 65,536
characters): the most severe findings are kept, and what was left out is counted.
"""

from __future__ import annotations

import re
from typing import Any, Iterable

from ..report import Report
from ..rule import DOCS_DIR
from ..textsafe import escape_control

SEVERITIES = ("critical", "high", "medium", "low", "info")
_SEV_RANK = {s: i for i, s in enumerate(reversed(SEVERITIES))}

# Markdown punctuation is backslash-escaped (CommonMark escapes any ASCII punctuation,
# and GFM tables honour `\|` even inside other spans); `<`, `>`, `&` become entities,
# which every renderer and HTML sanitizer reads. `@team` and `#123` must not mention or
# link anyone: GitHub finds them in the rendered text, so a zero-width space (written as
# an entity, never a raw character) follows the `@` or `#`.
# GFM also links bare URLs (`http://`, `www.`): the same space keeps them plain text.
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "@": "@&#8203;", "#": "#&#8203;", "://": ":&#8203;//"}
_SPECIAL = re.compile(r"://|(?i:www)\.|[&<>@#\\`*~\[\]|$!]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
_TAG_UNSAFE = re.compile(r"[^A-Za-z0-9._/=+,-]")
_SAFE_URL = re.compile(r"^https://[A-Za-z0-9._~/#%+=?&-]+$")

_RESERVE = 1500  # room kept for the omission notes, closing tags and the footer


def esc(value: Any) -> str:
    """Inert text for a Markdown page: controls made visible, then every character that
    could format, link, open a tag or break a table escaped. An `_` between letters or
    digits stays as it is: CommonMark never reads it as emphasis (and addresses are full
    of them)."""
    text = escape_control("" if value is None else str(value))
    return _SPECIAL.sub(_escape_one, text)


def _escape_one(m: re.Match) -> str:
    ch = m.group()
    if len(ch) == 4:  # www.
        return ch[:3] + "&#8203;."
    return _ENTITIES.get(ch) or "\\" + ch


def code(value: Any) -> str:
    """A value (address, path, file) in monospace: an HTML `<code>` element, whose content
    is escaped like any text (a Markdown code span cannot hold every character)."""
    return f"<code>{esc(value)}</code>"


def marker(tag: str) -> str:
    """The hidden first line that finds the comment again: `<!-- tfecs:TAG -->`, the tag
    limited to characters that cannot end the HTML comment."""
    safe = _TAG_UNSAFE.sub("_", escape_control(str(tag)))[:200] or "default"
    return f"<!-- tfecs:{safe} -->"


def render(report: Report, color: bool = False) -> str:
    from . import redacted_doc

    return render_doc(redacted_doc(report))


def render_doc(doc: dict, *, tag: str | None = None, max_chars: int = 65536) -> str:
    """The comment for a JSON report dict (schema v1), at most `max_chars` characters."""
    if not isinstance(doc, dict) or doc.get("schema_version") != 1:
        raise ValueError("not a tfecs JSON report (schema_version 1)")
    findings = [f for f in _list(doc, "findings") if isinstance(f, dict)]
    fixed = [x for x in _list(doc, "fixed") if isinstance(x, dict)]
    errors = [e for e in _list(doc, "errors") if isinstance(e, dict)]
    warnings = [w for w in _list(doc, "warnings") if isinstance(w, dict)]
    summary = doc.get("summary") if isinstance(doc.get("summary"), dict) else {}

    suppressed = [f for f in findings if f.get("suppressed")]
    active = [f for f in findings if not f.get("suppressed")]
    blocking = sorted((f for f in active if f.get("blocking") is True), key=_order)
    rest = [f for f in active if f.get("blocking") is not True]
    unknown = sorted((f for f in rest if f.get("status") == "unknown"), key=_order)
    introduced = sorted((f for f in rest if f.get("status") != "unknown" and f.get("delta") == "introduced"), key=_order)
    existing = sorted((f for f in rest if f.get("status") != "unknown" and f.get("delta") != "introduced"), key=_order)

    head: list[str] = []
    if tag is not None:
        head.append(marker(tag))
    head.append(_verdict(doc, summary, blocking, errors))
    head.append("")
    head.append(_inputs_line(doc))

    sections: list[_Section] = []
    if errors:
        sections.append(_Section("Errors", "errors", [f"- {_error_line(e)}" for e in errors], open_=True))
    if blocking:
        sections.append(
            _Section(
                "Blocking",
                "blocking findings",
                [_table_row(f) for f in blocking],
                table=True,
                severities=[str(f.get("severity")) for f in blocking],
            )
        )
    groups = (
        ("Introduced, not blocking", "introduced findings", introduced),
        ("Unknown until apply", "unknown findings", unknown),
        ("Existing before this change (not blocking)", "existing findings", existing),
    )
    for title, noun, items in groups:
        if items:
            if items is unknown:
                lines, sevs = _unknown_lines(items)
                noun = "values known only after apply"
            else:
                lines, sevs = [f"- {_item(f)}" for f in items], [str(f.get("severity")) for f in items]
            sections.append(_Section(f"{title} ({len(items)})", noun, lines, severities=sevs))
    if fixed:
        lines = [f"- {_fixed_item(x)}" for x in sorted(fixed, key=_order)]
        sections.append(_Section(f"Fixed by this change ({len(fixed)})", "fixes", lines))
    if suppressed:
        lines = [f"- {_suppressed_item(f)}" for f in sorted(suppressed, key=_order)]
        sections.append(_Section(f"Suppressed ({len(suppressed)})", "suppressed findings", lines))
    if warnings:
        sections.append(_Section(f"Warnings ({len(warnings)})", "warnings", [f"- {_error_line(w)}" for w in warnings]))

    tool = doc.get("tool") if isinstance(doc.get("tool"), dict) else {}
    footer = [
        "",
        f"<sub>tfecs {esc(tool.get('version', '?'))} · the full report: <code>tfecs scan --format json</code></sub>",
    ]
    return _assemble(head, sections, footer, max_chars)


class _Section:
    def __init__(self, title: str, noun: str, lines: list[str], *, table: bool = False, open_: bool = False,
                 severities: list[str] | None = None):
        self.title, self.noun, self.lines = title, noun, lines
        self.table, self.open = table, open_
        self.severities = severities  # per line, to say what an omission left out

    def opening(self) -> list[str]:
        if self.table:
            return ["", f"#### {esc(self.title)} ({len(self.lines)})", "",
                    "| severity | rule | resource | finding |", "|---|---|---|---|"]
        return ["", f"<details{' open' if self.open else ''}><summary>{esc(self.title)}</summary>", ""]

    def closing(self) -> list[str]:
        return [] if self.table else ["", "</details>"]

    def omitted_note(self, kept: int, limit: int) -> str:
        left = len(self.lines) - kept
        detail = ""
        if self.severities:
            counts: dict[str, int] = {}
            for s in self.severities[kept:]:
                counts[s] = counts.get(s, 0) + 1
            detail = " (" + ", ".join(f"{counts[s]} {s}" for s in SEVERITIES if s in counts) + ")"
        text = f"… and {left} more {self.noun}{detail} not shown, to keep this comment under {limit:,} characters."
        return f"\n{text}" if self.table else f"- {text}"


def _assemble(head: list[str], sections: list[_Section], footer: list[str], max_chars: int) -> str:
    """Errors and blocking findings first, as many as fit; the other sections share what
    is left (a section's unused share passes on). Within a section the most severe come
    first; what does not fit is counted in a note, never cut in a row or a tag."""
    budget = max_chars - _RESERVE - sum(len(x) + 1 for x in head + footer)
    if budget < 0:
        raise ValueError(f"max_chars {max_chars} is too small for a comment")
    out = list(head)
    shared = [s for s in sections if not (s.table or s.open)]
    for sec in sections:
        if sec in shared:
            share = budget // (len(shared) - shared.index(sec))
        else:
            share = budget
        lines, used = _fit(sec, share, max_chars)
        budget -= used
        out += lines
    out += footer
    text = "\n".join(out) + "\n"
    if len(text) > max_chars:  # the reserve covers the notes; this guards a bad estimate
        text = text[: max_chars - 40].rsplit("\n", 1)[0] + "\n\n… (truncated)\n"
    return text


def _fit(sec: _Section, budget: int, limit: int) -> tuple[list[str], int]:
    """The section's lines within `budget` characters, and the characters used."""
    opening, closing = sec.opening(), sec.closing()
    cost = sum(len(x) + 1 for x in opening + closing)
    body: list[str] = []
    if cost < budget:
        for line in sec.lines:
            if cost + len(line) + 1 > budget:
                break
            body.append(line)
            cost += len(line) + 1
    if not body:
        # Not even one line fits: one line says the whole section was left out.
        note = f"**{esc(sec.title)}**: {len(sec.lines)} {sec.noun} not shown, to keep this comment under {limit:,} characters."
        return ["", note], len(note) + 2
    lines = opening + body
    if len(body) < len(sec.lines):
        lines.append(sec.omitted_note(len(body), limit))
    return lines + closing, cost


def _list(doc: dict, key: str) -> list:
    value = doc.get(key)
    return value if isinstance(value, list) else []


def _order(f: dict) -> tuple:
    """Most severe first, then by rule and address: stable across re-runs."""
    return (-_SEV_RANK.get(str(f.get("severity")), -1), str(f.get("rule")), str(f.get("address")), str(f.get("path")))


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _num(summary: dict, key: str, fallback: int) -> int:
    value = summary.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else fallback


def _verdict(doc: dict, summary: dict, blocking: list, errors: list) -> str:
    findings = [f for f in _list(doc, "findings") if isinstance(f, dict)]
    introduced = _num(summary, "introduced", sum(f.get("delta") == "introduced" for f in findings))
    existing = _num(summary, "existing", sum(f.get("delta") == "existing" for f in findings))
    fixed = _num(summary, "fixed", len(_list(doc, "fixed")))
    unknown = _num(summary, "unknown", sum(f.get("status") == "unknown" for f in findings))
    counts = f"{introduced} introduced, {existing} existing, {fixed} fixed, {unknown} unknown until apply"
    if errors:
        return f"### :warning: tfecs: error — {_plural(len(errors), 'error')}, the scan is incomplete ({counts})"
    if blocking:
        return f"### :x: tfecs: blocked — {_plural(len(blocking), 'blocking finding')} ({counts})"
    return f"### :white_check_mark: tfecs: pass — nothing blocking ({counts})"


def _inputs_line(doc: dict) -> str:
    parts = []
    for i in _list(doc, "inputs"):
        if not isinstance(i, dict):
            continue
        kind = esc(i.get("kind", "?"))
        n = i.get("resources")
        count = _plural(n, "resource") if isinstance(n, int) else "? resources"
        parts.append(f"{code(i.get('path', '?'))} ({kind}, {count})")
    summary = doc.get("summary") if isinstance(doc.get("summary"), dict) else {}
    rules = summary.get("rules")
    tail = f" with {esc(rules)} rules" if isinstance(rules, int) else ""
    return f"Scanned {', '.join(parts) or 'nothing'}{tail}."


def _where(f: dict) -> str:
    file, line = f.get("file"), f.get("line")
    if not file:
        return ""
    return code(f"{file}:{line}" if isinstance(line, int) else file)


def _rule_link(f: dict) -> str:
    rule = esc(f.get("rule", "?"))
    url = f.get("docs")
    # A link only to a rule's own page on an https host (--docs-base-url): a relative
    # path would resolve against the pull request's page, and nothing else is linked.
    if isinstance(url, str) and url.endswith(f"/{DOCS_DIR}/{f.get('rule')}.md") and _SAFE_URL.match(url):
        return f'<a href="{url}">{rule}</a>'
    return rule


def _resource(f: dict) -> str:
    text = code(f.get("address", "?"))
    if f.get("path"):
        text += f" {code(f['path'])}"
    if f.get("action"):
        text += f" ({esc(f['action'])})"
    return text


def _table_row(f: dict) -> str:
    sev = esc(f.get("severity", "?"))
    if f.get("status") == "unknown":
        sev += " (unknown)"
    finding = esc(f.get("message", ""))
    where = _where(f)
    if where:
        finding += f" — {where}"
    if f.get("remediation"):
        finding += f"<br>**Fix:** {esc(f['remediation'])}"
    return f"| {sev} | {_rule_link(f)} | {_resource(f)} | {finding} |"


def _item(f: dict) -> str:
    where = _where(f)
    text = f"**{esc(f.get('severity', '?'))}** {_rule_link(f)} {_resource(f)}: {esc(f.get('message', ''))}"
    if where:
        text += f" — {where}"
    if f.get("remediation"):
        text += f" **Fix:** {esc(f['remediation'])}"
    return text


def _unknown_lines(items: Iterable[dict]) -> tuple[list[str], list[str]]:
    """The unknowns of one value share a line: a task definition whose containers are
    known only after apply concerns a dozen rules."""
    groups: dict[tuple, list[dict]] = {}
    for f in items:
        groups.setdefault((str(f.get("address")), str(f.get("path"))), []).append(f)
    lines, sevs = [], []
    for same in groups.values():
        sevs.append(str(same[0].get("severity")))
        if len(same) == 1:
            lines.append(f"- {_item(same[0])}")
            continue
        f = same[0]
        rules = ", ".join(_rule_link(x) for x in same)
        what = code(f["path"]) if f.get("path") else "a value"
        where = _where(f)
        lines.append(
            f"- **{esc(f.get('severity', '?'))}** {code(f.get('address', '?'))}: {what} is known only after apply, "
            f"so {len(same)} rules cannot rule out a finding ({rules}){' — ' + where if where else ''}. "
            "**Fix:** scan with <code>--source DIR</code> to evaluate it from the configuration."
        )
    return lines, sevs


def _fixed_item(x: dict) -> str:
    path = f" {code(x['path'])}" if x.get("path") else ""
    title = f": {esc(x['title'])}" if x.get("title") else ""
    return f"**{esc(x.get('severity', '?'))}** {esc(x.get('rule', '?'))} {code(x.get('address', '?'))}{path}{title}"


def _suppressed_item(f: dict) -> str:
    s = f.get("suppressed")
    how = ""
    if isinstance(s, dict):
        bits = [esc(s.get("source", "suppressed"))]
        if s.get("reason"):
            bits.append(f"reason: {esc(s['reason'])}")
        if s.get("expires"):
            bits.append(f"expires {esc(s['expires'])}")
        how = f" ({'; '.join(bits)})"
    return f"{_item(f)}{how}"


def _error_line(e: dict) -> str:
    where = e.get("where")
    text = esc(e.get("message", ""))
    return f"{code(where)}: {text}" if where else text
