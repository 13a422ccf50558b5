"""The command line: the only place that wires inputs, rules, gate and reporters together.

Imports stay inside the commands so `tfecs --version` starts without pydantic or hcl2.
"""

from __future__ import annotations

import gc
import os
import sys
from typing import Iterable, NoReturn

import click

from . import __version__

SEVERITIES = ("info", "low", "medium", "high", "critical", "none")
# tfecs.reporters.FORMATS, spelled out here so `tfecs --version` imports no reporter.
FORMATS = ("table", "json", "sarif", "junit", "github", "gitlab", "markdown", "atlantis")
EXIT_ERROR = 2


def _error_line(message: str) -> str:
    """One stderr line: paths and names in it come from the input (a file named
    `x\n::error::...` must not start a CI workflow command or drive the terminal)."""
    from .textsafe import escape_control

    return f"tfecs: error: {escape_control(message)}"


def _fail(message: str) -> NoReturn:
    click.echo(_error_line(message), err=True)
    sys.exit(EXIT_ERROR)


def load_rules(
    rule_dirs: tuple[str, ...] = (),
    select: tuple[str, ...] = (),
    skip: tuple[str, ...] = (),
    profiles: tuple[str, ...] | None = (),
    config=None,
):
    """The built-in rules, plus custom rule folders, filtered by id or id prefix and by
    profile (rules of a profile run only when it is asked for or they are named by
    `--rule`; `profiles=None` keeps every rule, for listing). `config`
    (tfecs.config.Config): rule options, severities and `enabled = false`."""
    from tfecs_rules import ALL_RULES

    from .rule import validate_rules
    from .rules_loader import load_rule_dir

    classes = list(ALL_RULES)
    for d in rule_dirs:
        classes.extend(load_rule_dir(d))
    validate_rules(classes)
    if config is not None:
        config.resolve_rules(classes)
    known = {c.meta.id for c in classes} | {a for c in classes for a in c.meta.aliases}
    for wanted in select + skip:
        if not any(k == wanted or k.startswith(wanted) for k in known):
            raise click.BadParameter(f"no rule matches {wanted!r} (see `tfecs rules`)", param_hint="--rule/--skip-rule")

    def matches(cls, patterns) -> bool:
        ids = (cls.meta.id, *cls.meta.aliases)
        return any(i == p or (p.endswith("-") and i.startswith(p)) or i.startswith(p + "-") for p in patterns for i in ids)

    chosen = [c for c in classes if (not select or matches(c, select)) and not matches(c, skip)]
    if profiles is not None:
        from .profiles import check_profiles, in_profiles

        try:
            check_profiles(classes, profiles)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--profile") from None
        chosen = in_profiles(chosen, profiles, selected=chosen if select else ())
    if config is None:
        return [c() for c in chosen]
    # A rule the file disables still runs when --rule names it exactly: flags beat the file.
    off = config.disabled()
    chosen = [c for c in chosen if c.meta.id not in off or any(i in select for i in (c.meta.id, *c.meta.aliases))]
    return [c(**config.rule_kwargs(c.meta.id)) for c in chosen]


def main() -> None:
    """Entry point: every failure is one line on stderr and exit 2, never a traceback."""
    # A scan allocates millions of containers (the parsed plan) and almost no cycles
    # (about 500 objects on a 10k-resource plan): the cycle collector would traverse
    # them again and again for nothing, a third of the run time. The process is short.
    gc.disable()
    _without_pydantic_plugins()
    global _RETAINED
    _RETAINED = []
    try:
        try:
            cli.main(prog_name="tfecs", standalone_mode=False)
        except click.exceptions.Abort:
            _fail("aborted")
        except click.UsageError as exc:
            _usage_error(exc)
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


def _without_pydantic_plugins() -> None:
    """The command runs without third-party pydantic plugins: a plugin installed in the
    environment (an entry point) is handed every value pydantic validates, the plan's
    secrets among them. Finding them also imports importlib.metadata and reads every
    installed distribution's metadata, ~20 ms of every run. pydantic asks its private
    `pydantic.plugin._loader.get_plugins()` (2.x); in its place, a module that answers
    none. (PYDANTIC_DISABLE_PLUGINS does the same but still pays for the import.)"""
    name = "pydantic.plugin._loader"
    if name not in sys.modules:
        import types

        stub = types.ModuleType(name, "tfecs: no pydantic plugins in this process")
        stub.get_plugins = lambda: ()  # type: ignore[attr-defined]
        sys.modules[name] = stub


def _pieces(text: str | bytes, size: int = 1 << 20):
    """A long report in slices: writing it whole encodes a second copy of it at once
    (megabytes on a dense plan, at the run's peak of memory)."""
    for start in range(0, len(text), size):
        yield text[start : start + size]


def _usage_error(exc: click.UsageError) -> NoReturn:
    """A bad option or argument: one line saying what, and one saying where help is
    (click's own three-line block with a blank line is noise in a CI log)."""
    message = " ".join(exc.format_message().split())
    group = exc.ctx.command if exc.ctx is not None else None
    if isinstance(exc, getattr(click.exceptions, "NoArgsIsHelpError", ())) and isinstance(group, click.Group):
        # click's message is the group's whole help: say what is missing instead.
        names = sorted(group.list_commands(exc.ctx))
        message = "missing a command: " + (f"{', '.join(names[:-1])} or {names[-1]}" if len(names) > 1 else "".join(names))
    click.echo(_error_line(message), err=True)
    if exc.ctx is not None:
        click.echo(f"Try '{exc.ctx.command_path} --help' for help.", err=True)
    sys.exit(EXIT_ERROR)


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


DOCS_BASE_URL_HELP = "Prefix of the rules' docs links (docs/rules/<id>.md; default: the repository path). Also TFECS_DOCS_BASE_URL."


def _docs_base_url(url: str | None) -> None:
    """Every command sets it (None: TFECS_DOCS_BASE_URL or the repository path), so one
    run's option never outlives it in a process that runs several (tests, a server)."""
    from .rule import set_docs_base_url

    set_docs_base_url(url)


@cli.command(short_help="Scan plans and Terraform directories (exit 1: blocking findings).")
@click.argument("paths", nargs=-1)
@click.option("-f", "--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True, help="Report format (see docs/formats.md).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="Write the report to this file instead of stdout.")
@click.option("--report", "reports", multiple=True, metavar="FORMAT=FILE", help="Also write this format to this file (repeatable), e.g. --report sarif=tfecs.sarif.")
@click.option("--fail-on", type=click.Choice(SEVERITIES), default="low", show_default=True, help="Lowest severity that blocks (none: never block).")
@click.option("--unknown", "unknown", type=click.Choice(["warn", "fail", "ignore"]), default="warn", show_default=True, help="Findings on values known only after apply: report, block, or drop.")
@click.option("--gate", "gate_mode", type=click.Choice(["changes", "all"]), default="changes", show_default=True, help="Block only what the change introduces, or every finding.")
@click.option("--source", type=click.Path(exists=True, file_okay=False), help="The Terraform source directory of the plan: evaluates values the plan knows only after apply and adds file:line.")
@click.option("--var", "variables", multiple=True, metavar="NAME=VALUE", help="A Terraform variable for HCL evaluation (repeatable).")
@click.option("--var-file", "var_files", multiple=True, type=click.Path(exists=True, dir_okay=False), help="A .tfvars file for HCL evaluation (repeatable).")
@click.option("--rule", "select", multiple=True, metavar="ID", help="Run only these rules (id or prefix such as iam-; repeatable).")
@click.option("--skip-rule", "skip", multiple=True, metavar="ID", help="Do not run these rules (id or prefix; repeatable).")
@click.option("--rules-dir", "rule_dirs", multiple=True, type=click.Path(exists=True, file_okay=False), help="A folder of custom rule modules (repeatable).")
@click.option("--profile", "profiles", multiple=True, metavar="NAME", help="Also run the rules of this profile (e.g. account: whole-configuration monitoring rules; repeatable).")
@click.option("--dockerfile", "dockerfiles", multiple=True, metavar="PATH", help="Scan this file as a Dockerfile whatever its name (repeatable).")
@click.option("--color/--no-color", default=None, help="Colour the table (default: when stdout is a terminal and NO_COLOR is unset).")
@click.option("--docs-base-url", metavar="URL", help=DOCS_BASE_URL_HELP)
@click.option("-r", "--recursive", is_flag=True, help="Scan every root module (and Dockerfile) under each directory, in parallel (automatic when a directory has no .tf file).")
@click.option("--no-cache", is_flag=True, help="Do not read or write the caches of parsed .tf files and evaluated directories (TFECS_NO_CACHE=1 does the same).")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), metavar="SECONDS", help="Stop a scan that takes longer (exit 2). HCL evaluation also has its own budgets.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="The policy file (default: .tfecs.hcl in the current directory, else in the scan root).")
@click.option("--baseline", "baseline_path", type=click.Path(dir_okay=False), help="Findings recorded by `tfecs baseline`: reported as suppressed, never blocking.")
@click.option("--no-ignores", is_flag=True, help="Turn off every inline and config ignore (audits).")
@click.option("--strict-ignores", is_flag=True, help="Unused or malformed ignores are errors (exit 2).")
def scan(paths, fmt, output, reports, fail_on, unknown, gate_mode, source, variables, var_files, select, skip, rule_dirs, profiles, dockerfiles, color, docs_base_url, recursive, no_cache, timeout, config_path, baseline_path, no_ignores, strict_ignores) -> None:
    """Scan Terraform plans (`terraform show -json` output, or - for stdin), HCL
    directories and Dockerfiles (named Dockerfile, *.Dockerfile or Dockerfile.*).

    Exit codes: 0 nothing blocking, 1 blocking findings, 2 an error.
    """
    from .errors import TfecsError
    from .reporters import parse_report_specs
    from .timing import emit, stage

    _docs_base_url(docs_base_url)
    if not paths and not dockerfiles:
        raise click.UsageError("give at least one plan, directory or Dockerfile to scan")
    from .debugnotes import DebugNotes

    notes = DebugNotes()
    try:
        specs = parse_report_specs(reports)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--report") from None
    if output and any(os.path.abspath(output) == os.path.abspath(p) for _, p in specs):
        raise click.BadParameter(f"{output!r} is also the --output file", param_hint="--report")
    _check_var_files(var_files)
    try:
        if timeout:
            _arm_timeout(timeout)
        if no_cache:
            from .inputs.hcl import parsecache

            parsecache.disable_disk()
        from . import config as config_mod

        with stage("load rules"):
            cfg = config_mod.resolve(config_path, paths, source)
            profiles = profiles or tuple(cfg.profiles or ())
            rules = load_rules(rule_dirs, select, skip, profiles, config=cfg)
        if not rules:
            # Nothing would be judged: a pass would mean nothing.
            raise click.UsageError("no rule left to run: --rule, --skip-rule and the config's `enabled = false` exclude every rule")
        fail_on, unknown, gate_mode = (
            _file_default(name, value, getattr(cfg, key))
            for name, value, key in (("fail_on", fail_on, "fail_on"), ("unknown", unknown, "unknown"), ("gate_mode", gate_mode, "gate"))
        )
        suppressor = config_mod.build_suppressor(cfg, rules, baseline=baseline_path, no_ignores=no_ignores, strict=strict_ignores)
        report = _scan(paths, rules, fmt, fail_on, unknown, gate_mode, source, variables, var_files, recursive, dockerfiles, suppressor=suppressor)
        from .paths import relocate

        relocate(report, source)  # files relative to the repository root, in every format
        from .reporters import STRUCTURED, exit_code, render, render_chunks, write_reports

        # NO_COLOR (no-color.org) is honoured unless --color asks otherwise.
        use_color = color if color is not None else (output is None and sys.stdout.isatty() and not os.environ.get("NO_COLOR"))
        # The JSON report goes out as its encoder's bytes (UTF-8, whatever the locale), a
        # batch of findings at a time: never the whole text at once, nor a decoded copy.
        chunks: Iterable[str] | Iterable[bytes] = ()
        if report.inputs:  # else nothing was read: the error lines below are the whole answer
            with stage("render"):
                if fmt in STRUCTURED:
                    chunks = render_chunks(report, fmt)
                else:
                    text = render(report, fmt, color=use_color and fmt == "table")
                    chunks = (_pieces(text) if not use_color else (text,)) if text else ()  # a colour code is never cut
        if output and report.inputs:
            with stage("render"), (open(output, "wb") if fmt in STRUCTURED else open(output, "w", encoding="utf-8")) as fh:
                for piece in chunks:
                    fh.write(piece)
            # The log still says what happened (a CI job need not scan twice).
            from .textsafe import escape_control

            verdict = {0: "pass", 1: "blocked", 2: "error"}[report.exit_code]
            click.echo(f"tfecs: {report.summary_line()}; {verdict}. The {fmt} report is in {escape_control(output)}.")
        else:
            text_only = getattr(sys.stdout, "buffer", None) is None  # an embedding program's stdout
            with stage("render"):
                for piece in chunks:
                    click.echo(piece.decode() if text_only and isinstance(piece, bytes) else piece, nl=False, color=use_color)
        if specs and report.inputs:
            with stage("render"):
                write_reports(report, specs)
        from .textsafe import escape_control

        for line in notes.lines(report.redact):
            click.echo(line, err=True)
        for err in report.errors:
            click.echo(_error_line(report.redact(err.line())), err=True)
        emit()
        sys.exit(exit_code(report, fmt))
    except ScanTimeout:
        _fail(f"the scan took longer than --timeout {timeout:g} s and was stopped")
    except TfecsError as exc:
        from .redact import Redactor

        for line in notes.lines(Redactor(())):
            click.echo(line, err=True)
        _fail(str(exc))
    except OSError as exc:
        _fail(f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": "))


class ScanTimeout(BaseException):
    """--timeout ran out. A BaseException, so that no `except Exception` on the way (a
    rule's crash isolation, a reader's fallback) can take it for a local failure."""


def _arm_timeout(seconds: float) -> None:
    import signal

    def expired(signum, frame) -> None:
        raise ScanTimeout()

    if hasattr(signal, "setitimer"):
        signal.signal(signal.SIGALRM, expired)
        signal.setitimer(signal.ITIMER_REAL, seconds)


def _check_var_files(var_files) -> None:
    """A .tfvars is a file (or a pipe, as `<(...)` gives): a device such as a committed
    symlink to /dev/zero would be read for ever."""
    import stat

    for path in var_files:
        mode = os.stat(path).st_mode
        if not (stat.S_ISREG(mode) or stat.S_ISFIFO(mode)):
            raise click.BadParameter(f"{path!r} is not a regular file", param_hint="--var-file")


def _file_default(name: str, value, from_file):
    """A flag given on the command line beats the config file, which beats the default."""
    from click.core import ParameterSource

    given = click.get_current_context().get_parameter_source(name) not in (ParameterSource.DEFAULT, None)
    return value if given or from_file is None else from_file


def _scan(paths, rules, fmt, fail_on, unknown, gate_mode, source, variables, var_files, recursive=False, dockerfiles=(), suppressor=None):
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
    src = SourceOptions(source, parsed, tuple(var_files))
    from .monorepo import expand, scan_parallel

    roots = expand(paths, recursive)
    if recursive or roots != list(paths):
        # A monorepo: each root module is an input, scanned in its own process (the
        # Dockerfiles go through the same ignores); outside a git work tree, the folder
        # given is the repository they share.
        from .inputs.hcl.confine import declare_repository_root

        declare_repository_root(next((p for p in paths if p != "-" and os.path.isdir(p)), None))
        try:
            return scan_parallel(roots, rules, options, src, suppressor=suppressor, dockerfiles=tuple(dockerfiles))
        finally:
            declare_repository_root(None)
    return run_scan(paths, rules, options, src, dockerfiles=tuple(dockerfiles), suppressor=suppressor, retain=_RETAINED)


# The scan's resources and models, kept until the process exits when main() runs the
# command (it ends the process without freeing the heap): freeing them one object at a
# time as scan() returns cost ~45 ms on a dense 10k plan. None when the commands are
# called otherwise (tests, an embedding program): nothing is kept.
_RETAINED: list | None = None


@cli.command("baseline", short_help="Record today's findings so that only new ones block.")
@click.argument("paths", nargs=-1, required=True)
@click.option("-o", "--output", default=".tfecs-baseline.json", show_default=True, type=click.Path(dir_okay=False, writable=True), help="Where to write the baseline.")
@click.option("--source", type=click.Path(exists=True, file_okay=False), help="The Terraform source directory of the plan.")
@click.option("--var", "variables", multiple=True, metavar="NAME=VALUE", help="A Terraform variable for HCL evaluation (repeatable).")
@click.option("--var-file", "var_files", multiple=True, type=click.Path(exists=True, dir_okay=False), help="A .tfvars file for HCL evaluation (repeatable).")
@click.option("--rules-dir", "rule_dirs", multiple=True, type=click.Path(exists=True, file_okay=False), help="A folder of custom rule modules (repeatable).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="The policy file (rule options and enabled rules apply).")
def baseline_cmd(paths, output, source, variables, var_files, rule_dirs, config_path) -> None:
    """Record today's findings so that only new ones block (`tfecs scan --baseline FILE`).

    The file is sorted, has no timestamp and holds only rule ids, addresses, attribute
    paths and container names: no value from the plan.
    """
    import json

    from . import baseline as baseline_mod, config as config_mod
    from .errors import TfecsError

    _check_var_files(var_files)
    try:
        cfg = config_mod.resolve(config_path, paths, source)
        rules = load_rules(rule_dirs, profiles=tuple(cfg.profiles or ()), config=cfg)
        report = _scan(paths, rules, "json", "none", "warn", "changes", source, variables, var_files)
        for err in report.errors:
            click.echo(_error_line(report.redact(err.line())), err=True)
        if report.errors:
            sys.exit(EXIT_ERROR)
        text = baseline_mod.dumps(report.findings, report.redact)
        with open(output, "w", encoding="utf-8") as fh:
            fh.write(text)
        entries = len(json.loads(text)["findings"])
        from .textsafe import escape_control

        click.echo(f"tfecs: wrote {entries} entr{'y' if entries == 1 else 'ies'} to {escape_control(output)}", err=True)
    except TfecsError as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": "))


RULES_DIR = click.option(
    "--rules-dir", "rule_dirs", multiple=True, type=click.Path(exists=True, file_okay=False), help="A folder of custom rule modules (repeatable)."
)


def _load_rules_or_fail(rule_dirs: tuple[str, ...]):
    from .errors import TfecsError

    try:
        return load_rules(rule_dirs, profiles=None)
    except TfecsError as exc:
        _fail(str(exc))
    except ValueError as exc:  # a custom rule that breaks the catalogue's rules
        _fail(f"custom rules: {exc}")


@cli.command("rules", short_help="List the rules: id, severity, practice, controls, title.")
@click.option("-f", "--format", "fmt", type=click.Choice(["table", "json", "markdown"]), default="table", show_default=True)
@RULES_DIR
@click.option("--docs-base-url", metavar="URL", help=DOCS_BASE_URL_HELP)
def list_rules(fmt: str, rule_dirs: tuple[str, ...], docs_base_url: str | None) -> None:
    """List every rule (built-in, and custom ones with --rules-dir) with its severity,
    practice and Security Hub controls; --format markdown prints the docs/rules index."""
    _docs_base_url(docs_base_url)
    rules = _load_rules_or_fail(rule_dirs)
    if fmt == "markdown":
        from .docs import index_page

        click.echo(index_page(rules), nl=False)
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
            "profile": r.meta.profile,
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
            [[r["id"], r["severity"], r["practice"], ", ".join(r["controls"]) or "-", r["profile"] or "-", r["title"]] for r in rows],
            headers=["id", "severity", "practice", "controls", "profile", "title"],
        )
    )


@cli.command(short_help="Show a rule's documentation.")
@click.argument("rule_id")
@RULES_DIR
def explain(rule_id: str, rule_dirs: tuple[str, ...]) -> None:
    """Show a rule's documentation (built-in, or custom with --rules-dir)."""
    for r in _load_rules_or_fail(rule_dirs):
        if rule_id == r.meta.id or rule_id in r.meta.aliases:
            m = r.meta
            click.echo(f"{m.id}: {m.title}")
            click.echo(f"severity: {m.severity.value}   practice: {m.practice_name}   controls: {', '.join(m.controls) or '-'}")
            click.echo(f"resources: {', '.join(m.resource_types)}")
            if m.profile:
                click.echo(f"profile: {m.profile} (runs with --profile {m.profile})")
            click.echo(f"docs: {m.docs_url}\n")
            click.echo(r.docs())
            from .config import SUPPRESS_HELP, options_help

            opts = options_help(type(r))
            if opts:
                click.echo(f"\n{opts}")
            click.echo(f"\n{SUPPRESS_HELP}")
            return
    _fail(f"unknown rule {rule_id!r} (see `tfecs rules`)")


# `tfecs comment github|gitlab` lives in its own module (HTTP client, behaviours).
from .comment import comment as _comment  # noqa: E402

cli.add_command(_comment)


if __name__ == "__main__":  # pragma: no cover
    main()
