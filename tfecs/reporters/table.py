"""The terminal report: fits the terminal, worst severity first, one resource at a time.

Layout (the same at every width; only the line breaks move):

    HIGH  26 findings, 24 blocking
      aws_ecs_task_definition.app  create
        BLOCKS  ecs-privileged-container  container 'web' runs privileged  main.tf:12
                fix: Remove `privileged` from the container definition.

A finding is one line when it fits the width; otherwise its head (tag, rule id, file:line)
stays on one line and the message and fix are wrapped under it, indented, never a
wrapped table. Long addresses are shortened in the middle; rule ids never are.
Everything that comes from the input goes through `escape_control`.
"""

from __future__ import annotations

import shutil
import textwrap

import click

from ..report import Report
from ..rule import Finding, Severity, Status
from ..textsafe import escape_control as esc

_SEV_COLOR = {"critical": "magenta", "high": "red", "medium": "yellow", "low": "cyan", "info": "white"}
_TAGS = {"BLOCKS": "red", "unknown": "blue", "existing": "white", "new": "yellow", "fixed": "green"}
MIN_WIDTH, MAX_WIDTH = 40, 240


def terminal_width() -> int:
    """`COLUMNS`, else the terminal's width, else 80 (piped)."""
    return shutil.get_terminal_size((80, 24)).columns


def render(report: Report, color: bool = False, width: int | None = None) -> str:
    width = max(MIN_WIDTH, min(MAX_WIDTH, width or terminal_width()))
    return _Renderer(report, color, width).render()


def shorten(text: str, limit: int) -> str:
    """`text` cut in the middle to `limit` characters: both ends of an address say most."""
    if len(text) <= limit or limit < 9:
        return text
    keep = limit - 3
    head = keep // 2
    return text[:head] + "..." + text[len(text) - (keep - head) :]


class _Renderer:
    def __init__(self, report: Report, color: bool, width: int) -> None:
        self.report = report
        self.color = color
        self.width = width
        self.out: list[str] = []
        self._clean = _redacted_strings(report)

    def esc(self, text: str) -> str:
        """An input's string as printed: its secrets masked before any layout (a wrapped
        or shortened line could split one where no later pass would see it whole),
        then its control characters escaped."""
        clean = self._clean.get(text)
        return esc(self.report.redact(text) if clean is None else clean)

    def where(self, f: Finding) -> str:
        if not f.file:
            return ""
        return f"{self.esc(f.file)}:{f.line}" if f.line else self.esc(f.file)

    def style(self, text: str, **kw: object) -> str:
        return click.style(text, **kw) if self.color else text

    def render(self) -> str:
        r = self.report
        for i in r.inputs:
            version = f" {self.esc(i.format_version)}" if i.format_version else ""
            tail = f"  ({i.kind}{version}, {i.resources} resources)"
            self.out.append("scanned " + shorten(self.esc(i.path), self.width - 8 - len(tail)) + tail)
        active = [f for f in r.findings if not f.suppressed]
        by_sev: dict[Severity, list[list[Finding]]] = {}
        for entry in _entries(active):
            worst = max(entry, key=lambda f: f.effective_severity.rank).effective_severity
            by_sev.setdefault(worst, []).append(entry)
        for sev in sorted(by_sev, key=lambda s: -s.rank):
            self.severity_section(sev, by_sev[sev])
        self.suppressed([f for f in r.findings if f.suppressed])
        self.fixed()
        self.summary()
        self.warnings()
        return "\n".join(self.out) + "\n"

    # ------------------------------------------------------------------ findings
    def severity_section(self, sev: Severity, entries: list[list[Finding]]) -> None:
        n = sum(len(e) for e in entries)
        blocking = sum(f.blocking for e in entries for f in e)
        head = self.style(sev.value.upper(), fg=_SEV_COLOR[sev.value], bold=True)
        count = f"{n} finding{'s' if n != 1 else ''}" + (f", {blocking} blocking" if blocking else "")
        self.out += ["", f"{head}  {count}"]
        by_resource: dict[tuple[str, str], list[list[Finding]]] = {}
        for e in entries:
            by_resource.setdefault((e[0].input, e[0].address), []).append(e)
        many_inputs = len(self.report.inputs) > 1
        for (inp, address), group in sorted(by_resource.items(), key=lambda kv: (kv[0][1], kv[0][0])):
            first = group[0][0]
            extra = f"  {self.esc(first.action)}" if first.action else ""
            addr = shorten(self.esc(address), self.width - 2 - len(extra))
            if many_inputs and inp:
                # Which input: the address has priority, the input path gets what is left.
                room = self.width - 2 - len(addr) - len(extra) - 4
                if room < 12:
                    addr = shorten(addr, max(9, len(addr) - (12 - room)))
                    room = 12
                extra += f"  ({shorten(self.esc(inp), room)})"
            self.out.append("  " + addr + extra)
            for e in sorted(group, key=lambda e: (e[0].meta.id, e[0].path_text)):
                self.finding(e)

    def finding(self, entry: list[Finding]) -> None:
        f = entry[0]
        tag = _tag(f)
        indent = " " * 4
        body = " " * (4 + 8 + 2)  # under the rule id
        tag_text = self.style(f"{tag:<8}", fg=_TAGS[tag], bold=tag == "BLOCKS")
        if len(entry) > 1:
            rule = f"{len(entry)} rules"
            message = (
                f"{self.esc(f.path_text) or 'a value'} is known only after apply: {len(entry)} rules cannot rule out a "
                f"finding ({', '.join(self.esc(x.meta.id) for x in entry)})"
            )
            fix = "scan with --source DIR to evaluate it from the configuration, or make it known at plan time"
        else:
            rule = self.esc(f.meta.id)
            message = self.esc(f.message)
            fix = self.esc(f.remediation)
        # Where to look: file:line when the source is known, else the attribute path.
        where = self.where(f) or (self.esc(f.path_text) if f.path and len(entry) == 1 else "")
        head_len = len(indent) + 8 + 2 + len(rule)
        if head_len + 2 + len(message) + (len(where) + 2 if where else 0) <= self.width:
            self.out.append(f"{indent}{tag_text}  {rule}  {message}" + (f"  {where}" if where else ""))
        elif not where or head_len + 2 + len(where) <= self.width:
            self.out.append(f"{indent}{tag_text}  {rule}" + (f"  {where}" if where else ""))
            self.wrap(message, body)
        else:  # the location on a line of its own, whole where it fits
            self.out.append(f"{indent}{tag_text}  {rule}")
            self.out.append(body + shorten(where, self.width - len(body)))
            self.wrap(message, body)
        if fix:
            self.wrap(f"fix: {fix}", body)

    def wrap(self, text: str, indent: str) -> None:
        self.out.extend(
            textwrap.wrap(text, self.width, initial_indent=indent, subsequent_indent=indent + "  ", break_on_hyphens=False)
            or [indent]
        )

    def suppressed(self, findings: list[Finding]) -> None:
        if not findings:
            return
        self.out += ["", self.style(f"Suppressed ({len(findings)})", bold=True)]
        for f in sorted(findings, key=lambda f: (f.address, f.meta.id, f.path_text)):
            s = f.suppressed or {}
            why = self.esc(str(s.get("reason") or "no reason given"))
            details = [self.esc(str(s[k])) for k in ("source", "where") if s.get(k)]
            if s.get("expires"):
                details.append(f"expires {self.esc(str(s['expires']))}")
            tail = f" ({', '.join(details)})" if details else ""
            self.out.extend(
                textwrap.wrap(f"{self.esc(f.meta.id)}  {shorten(self.esc(f.address), self.width // 2)}: {why}{tail}", self.width,
                              initial_indent="  ", subsequent_indent="      ", break_on_hyphens=False)
            )

    def fixed(self) -> None:
        fixed = self.report.fixed
        if not fixed:
            return
        self.out += ["", self.style(f"Fixed by this change ({len(fixed)})", bold=True, fg="green")]
        for x in fixed:
            where = f"  {self.esc(x.path)}" if x.path else ""
            lines = textwrap.wrap(f"{self.esc(x.rule)}  {shorten(self.esc(x.address), self.width // 2)}{where}", self.width - 9, break_on_hyphens=False)
            self.out.append(f"  {self.style('fixed', fg='green')}  {lines[0]}")
            self.out.extend(" " * 11 + rest for rest in lines[1:])

    # ------------------------------------------------------------------ summary
    def summary(self) -> None:
        r = self.report
        s = r.summary()
        open_ = [f for f in r.findings if not f.suppressed]
        counts = {sev: sum(f.effective_severity is sev for f in open_) for sev in Severity}
        sevs = ", ".join(f"{counts[sev]} {sev.value}" for sev in sorted(Severity, key=lambda x: -x.rank))
        self.out += ["", self.style("Summary", bold=True)]
        self.kv("findings", f"{len(open_)}: {sevs}")
        change = f"{s['introduced']} introduced ({s['blocking']} blocking), {s['existing']} existing, {s['fixed']} fixed"
        if s["suppressed"]:
            change += f", {s['suppressed']} suppressed"
        self.kv("change", change)
        if s["errors"]:
            self.out.append(f"  errors    {s['errors']} (on stderr)")
        self.kv("scanned", f"{s['resources']} resources, {s['rules']} rules (tfecs {r.tool_version})")
        code = r.exit_code
        if code == 2:
            verdict = self.style("ERROR", fg="red", bold=True) + ": tfecs could not judge everything (exit 2)"
        elif code == 1:
            verdict = self.style("BLOCKED", fg="red", bold=True) + f": {s['blocking']} finding{'s block' if s['blocking'] != 1 else ' blocks'} this change (exit 1)"
        else:
            verdict = self.style("PASS", fg="green", bold=True) + ": nothing blocks this change (exit 0)"
        self.out.append(f"  verdict   {verdict}")
        for hint in self.hints():
            self.kv("hint", hint)

    def hints(self) -> list[str]:
        r = self.report
        plan_inputs = {i.path for i in r.inputs if i.kind in ("plan", "state")}
        unresolved = sum(1 for f in r.findings if f.status is Status.UNKNOWN and f.file is None and f.input in plan_inputs)
        out = []
        if unresolved:
            out.append(f"{unresolved} unknown until apply: pass --source DIR (the plan's Terraform directory) to resolve them")
        no_value = sum(1 for w in r.warnings if w.kind == "variable-no-value")
        if no_value:
            out.append(f"{no_value} variable{'s have' if no_value != 1 else ' has'} no value: pass --var-file FILE or --var NAME=VALUE")
        return out

    def kv(self, label: str, text: str) -> None:
        self.out.extend(textwrap.wrap(text, self.width, initial_indent=f"  {label:<8}  ", subsequent_indent=" " * 12, break_on_hyphens=False))

    def warnings(self) -> None:
        ws = self.report.warnings
        if not ws:
            return
        self.out += ["", self.style(f"Warnings ({len(ws)})", bold=True, fg="yellow")]
        for w in ws:
            self.out.extend(
                textwrap.wrap(self.esc(w.line()), self.width, initial_indent="  warning: ", subsequent_indent=" " * 11, break_on_hyphens=False)
            )


def _redacted_strings(report: Report) -> dict[str, str]:
    """Every string of the report the table prints, redacted in one batch (one pass over
    them all, not one per string)."""
    from ..redact import redact_strings

    strings: list[str] = []
    for i in report.inputs:
        strings += [i.path, i.format_version or ""]
    for f in report.findings:
        strings += [f.address, f.action or "", f.input, f.path_text, f.message, f.remediation, f.file or "", f.meta.id]
        if f.suppressed:
            strings += [str(v) for v in f.suppressed.values() if v]
    for x in report.fixed:
        strings += [x.rule, x.address, x.path or ""]
    strings += [w.line() for w in report.warnings]
    unique = list(dict.fromkeys(s for s in strings if s))
    return dict(zip(unique, redact_strings(unique, report.redact)))


def _tag(f: Finding) -> str:
    if f.blocking:
        return "BLOCKS"
    if f.status is Status.UNKNOWN:
        return "unknown"
    return "existing" if f.delta == "existing" else "new"


def _entries(findings: list[Finding]) -> list[list[Finding]]:
    """One entry a finding, except that the unknowns of one value (a task definition's
    container_definitions known only after apply concerns a dozen rules) share one."""
    groups: dict[tuple, list[Finding]] = {}
    out: list[list[Finding]] = []
    for f in findings:
        if f.status is Status.UNKNOWN and not f.blocking:
            key = (f.input, f.address, f.path_text)
            if key in groups:
                groups[key].append(f)
                continue
            groups[key] = [f]
            out.append(groups[key])
        else:
            out.append([f])
    return out
