"""The command line: the only place that wires inputs, rules, gate and reporters together.

Imports stay inside the commands so `tfecs --version` starts without pydantic or hcl2.
"""

from __future__ import annotations

import gc
import os
import sys
from typing import NoReturn

import click

from . import __version__

SEVERITIES = ("info", "low", "medium", "high", "critical", "none")
EXIT_ERROR = 2


def _fail(message: str) -> NoReturn:
    from .textsafe import escape_control

    click.echo(f"tfecs: error: {escape_control(message)}", err=True)
    sys.exit(EXIT_ERROR)


def load_rules(rule_dirs: tuple[str, ...] = (), select: tuple[str, ...] = (), skip: tuple[str, ...] = ()):
    """The built-in rules, plus custom rule folders, filtered by id or id prefix."""
    from tfecs_rules import ALL_RULES

    from .rule import validate_rules
    from .rules_loader import load_rule_dir

    classes = list(ALL_RULES)
    for d in rule_dirs:
        classes.extend(load_rule_dir(d))
    validate_rules(classes)
    known = {c.meta.id for c in classes} | {a for c in classes for a in c.meta.aliases}
    for wanted in select + skip:
        if not any(k == wanted or k.startswith(wanted) for k in known):
            raise click.BadParameter(f"no rule matches {wanted!r} (see `tfecs rules`)")

    def matches(cls, patterns) -> bool:
        ids = (cls.meta.id, *cls.meta.aliases)
        return any(i == p or (p.endswith("-") and i.startswith(p)) or i.startswith(p + "-") for p in patterns for i in ids)

    chosen = [c for c in classes if (not select or matches(c, select)) and not matches(c, skip)]
    return [c() for c in chosen]


def main() -> None:
    """Entry point: every failure is one line on stderr and exit 2, never a traceback."""
    # A scan allocates millions of containers (the parsed plan) and almost no cycles
    # (about 500 objects on a 10k-resource plan): the cycle collector would traverse
    # them again and again for nothing, a third of the run time. The process is short.
    gc.disable()
    try:
        try:
            cli.main(prog_name="tfecs", standalone_mode=False)
        except click.exceptions.Abort:
            _fail("aborted")
        except click.ClickException as exc:
            exc.show()
            sys.exit(EXIT_ERROR)
        except SystemExit:
            raise
        except Exception as exc:  # noqa: BLE001 - fail closed
            _fail(f"internal error: {type(exc).__name__}: {exc} (please report this)")
        sys.exit(0)
    except SystemExit as exc:
        _exit_now(exc.code)


def _exit_now(code: object) -> NoReturn:
    """Exit without freeing the scan's objects one by one at interpreter shutdown (0.4 s
    on a 50k-resource plan). Output is flushed first; anything unusual exits normally."""
    code = 0 if code is None else code
    if not isinstance(code, int):
        raise SystemExit(code)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BaseException:  # noqa: BLE001 - e.g. a closed pipe: let Python report it
        raise SystemExit(code) from None
    os._exit(code)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="tfecs")
def cli() -> None:
    """tfecs: a compliance gate for Terraform that blocks insecure AWS ECS changes before apply."""


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("-f", "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True, help="Report format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="Write the report to this file instead of stdout.")
@click.option("--fail-on", type=click.Choice(SEVERITIES), default="low", show_default=True, help="Lowest severity that blocks (none: never block).")
@click.option("--unknown", "unknown", type=click.Choice(["warn", "fail", "ignore"]), default="warn", show_default=True, help="Findings on values known only after apply: report, block, or drop.")
@click.option("--gate", "gate_mode", type=click.Choice(["changes", "all"]), default="changes", show_default=True, help="Block only what the change introduces, or every finding.")
@click.option("--source", type=click.Path(exists=True, file_okay=False), help="The Terraform source directory of the plan: evaluates values the plan knows only after apply and adds file:line.")
@click.option("--var", "variables", multiple=True, metavar="NAME=VALUE", help="A Terraform variable for HCL evaluation (repeatable).")
@click.option("--var-file", "var_files", multiple=True, type=click.Path(exists=True, dir_okay=False), help="A .tfvars file for HCL evaluation (repeatable).")
@click.option("--rule", "select", multiple=True, metavar="ID", help="Run only these rules (id or prefix such as iam-; repeatable).")
@click.option("--skip-rule", "skip", multiple=True, metavar="ID", help="Do not run these rules (id or prefix; repeatable).")
@click.option("--rules-dir", "rule_dirs", multiple=True, type=click.Path(exists=True, file_okay=False), help="A folder of custom rule modules (repeatable).")
@click.option("--color/--no-color", default=None, help="Colour the table (default: when stdout is a terminal and NO_COLOR is unset).")
def scan(paths, fmt, output, fail_on, unknown, gate_mode, source, variables, var_files, select, skip, rule_dirs, color) -> None:
    """Scan Terraform plans (`terraform show -json` output, or - for stdin) and HCL directories.

    Exit codes: 0 nothing blocking, 1 blocking findings, 2 an error.
    """
    from .errors import TfecsError
    from .timing import emit, stage

    from .debugnotes import DebugNotes

    notes = DebugNotes()
    try:
        with stage("load rules"):
            rules = load_rules(rule_dirs, select, skip)
        report = _scan(paths, rules, fmt, fail_on, unknown, gate_mode, source, variables, var_files)
        from .reporters import render

        # NO_COLOR (no-color.org) is honoured unless --color asks otherwise.
        use_color = color if color is not None else (output is None and sys.stdout.isatty() and not os.environ.get("NO_COLOR"))
        with stage("render"):
            text = render(report, fmt, color=use_color and fmt == "table")
        if not report.inputs:
            text = ""  # nothing was read: the error lines below are the whole answer
        if output and text:
            with open(output, "w", encoding="utf-8") as fh:
                fh.write(text)
        elif text:
            click.echo(text, nl=False, color=use_color)
        from .textsafe import escape_control

        for line in notes.lines(report.redact):
            click.echo(line, err=True)
        for err in report.errors:
            click.echo(f"tfecs: error: {escape_control(report.redact(err.line()))}", err=True)
        emit()
        sys.exit(report.exit_code)
    except TfecsError as exc:
        from .redact import Redactor

        for line in notes.lines(Redactor(())):
            click.echo(line, err=True)
        _fail(str(exc))
    except OSError as exc:
        _fail(f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": "))


def _scan(paths, rules, fmt, fail_on, unknown, gate_mode, source, variables, var_files):
    from .gate import GateOptions
    from .rule import Severity
    from .scan import SourceOptions, scan as run_scan

    parsed: dict[str, str] = {}
    for item in variables:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"expected NAME=VALUE, got {item!r}", param_hint="--var")
        parsed[name.strip()] = value
    options = GateOptions(fail_on=None if fail_on == "none" else Severity(fail_on), unknown=unknown, gate=gate_mode)
    return run_scan(paths, rules, options, SourceOptions(source, parsed, tuple(var_files)))


@cli.command("rules")
@click.option("-f", "--format", "fmt", type=click.Choice(["table", "json", "markdown"]), default="table", show_default=True)
def list_rules(fmt: str) -> None:
    """List every rule with its severity, practice and Security Hub controls."""
    rules = load_rules()
    if fmt == "markdown":
        from .docs import rules_markdown

        click.echo(rules_markdown(rules), nl=False)
        return
    rows = [
        {
            "id": r.meta.id,
            "title": r.meta.title,
            "severity": r.meta.severity.value,
            "practice": r.meta.practice_name,
            "controls": list(r.meta.controls),
            "resource_types": list(r.meta.resource_types),
            "docs": r.meta.docs_url,
        }
        for r in rules
    ]
    if fmt == "json":
        import json

        click.echo(json.dumps(rows, indent=2))
        return
    from tabulate import tabulate

    click.echo(
        tabulate(
            [[r["id"], r["severity"], r["practice"], ", ".join(r["controls"]) or "-", r["title"]] for r in rows],
            headers=["id", "severity", "practice", "controls", "title"],
        )
    )


@cli.command()
@click.argument("rule_id")
def explain(rule_id: str) -> None:
    """Show a rule's documentation."""
    for r in load_rules():
        if rule_id == r.meta.id or rule_id in r.meta.aliases:
            m = r.meta
            click.echo(f"{m.id}: {m.title}")
            click.echo(f"severity: {m.severity.value}   practice: {m.practice_name}   controls: {', '.join(m.controls) or '-'}")
            click.echo(f"resources: {', '.join(m.resource_types)}")
            click.echo(f"docs: {m.docs_url}\n")
            click.echo(r.docs())
            return
    _fail(f"unknown rule {rule_id!r} (see `tfecs rules`)")


if __name__ == "__main__":  # pragma: no cover
    main()
