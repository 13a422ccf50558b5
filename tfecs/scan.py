"""One scan: read each input, model it before and after the change, run the rules on
both sides, and let the gate decide. The CLI and tests call this; it prints nothing."""

from __future__ import annotations

import os
import stat
import sys
from dataclasses import dataclass, field
from typing import Sequence

from . import engine, gate
from .errors import InputError, TfecsError
from .inputs.raw import RawResource
from .model.inventory import Inventory
from .redact import Redactor, common_word, mask_scoped_parts, sensitive_spans
from .report import ErrorInfo, InputInfo, Report, WarningInfo
from .rule import Rule
from .timing import stage


@dataclass(frozen=True, slots=True)
class SourceOptions:
    """HCL evaluation settings: the source directory for plan inputs, and variables."""

    source: str | None = None
    variables: dict[str, str] = field(default_factory=dict)
    var_files: tuple[str, ...] = ()


def read_input(path: str, src: SourceOptions, warnings: list | None = None) -> tuple[InputInfo, list[RawResource], bool, set[str]]:
    """Resources of one input, whether it has a prior state to compare with, and the
    values of variables it declares sensitive (never to be printed). HCL evaluation
    appends its WarningInfo items to `warnings`."""
    if path != "-" and os.path.isdir(path):
        return _read_hcl(path, src, warnings)
    if path.endswith(".tf"):
        raise InputError("give the directory that holds the .tf files, not a single file", where=path)
    with stage("read"):
        data = [_read_bytes(path)]  # read_plan takes it out, and frees it once parsed
    from .inputs.plan import read_plan

    with stage("parse+resources"):
        plan = read_plan(data, path)
    if src.source:
        from .inputs.hcl import enrich_plan

        with stage("enrich from source"):
            declared = plan.doc.get("variables") if isinstance(plan.doc, dict) else None
            plan_variables = {k: v["value"] for k, v in (declared or {}).items() if isinstance(v, dict) and "value" in v}
            enrich_plan(
                plan.resources, src.source, variables=src.variables, var_files=src.var_files, plan_variables=plan_variables, warnings=warnings
            )
    managed = sum(1 for r in plan.resources if r.mode == "managed")
    info = InputInfo(path, plan.kind, plan.format_version, plan.terraform_version, managed)
    return info, plan.resources, True, sensitive_variables(plan.doc)


def _read_hcl(path: str, src: SourceOptions, warnings: list | None = None) -> tuple[InputInfo, list[RawResource], bool]:
    if not any(name.endswith((".tf", ".tf.json")) for name in os.listdir(path)):
        raise InputError("no Terraform plan or .tf files in this directory", where=path)
    from .inputs.hcl import load_directory

    with stage("parse hcl"):
        resources = load_directory(path, variables=src.variables, var_files=src.var_files, warnings=warnings)
    managed = sum(1 for r in resources if r.mode == "managed")
    return InputInfo(path, "hcl", None, None, managed), resources, False, set()


def source_warnings(raws: list[RawResource], source: str) -> list[WarningInfo]:
    """A --source that maps none (or only some) of the plan's resources to a block gives
    no file:line and evaluates nothing there: say so, rather than silently."""
    wanted = [r for r in raws if r.mode == "managed" and r.actions != ("delete",)]
    unmatched = sorted(r.address for r in wanted if r.location is None)
    if not wanted or not unmatched:
        return []
    if len(unmatched) == len(wanted):
        message = (
            f"--source maps none of the plan's {len(wanted)} resources to a block (first: {unmatched[0]}): "
            "is it the directory the plan was made from?"
        )
    else:
        message = (
            f"--source maps {len(wanted) - len(unmatched)} of the plan's {len(wanted)} resources; "
            f"{len(unmatched)} have no block there (first: {unmatched[0]})"
        )
    return [WarningInfo("source-unmatched", message, source)]


def sensitive_variables(doc: dict) -> set[str]:
    """The plan's values of root variables declared `sensitive = true`: plan JSON prints
    them in clear, and HCL evaluation of --source may carry them into attributes."""
    from .redact import sensitive_tree_values

    declared = _member(_member(_member(doc, "configuration"), "root_module"), "variables")
    values = _member(doc, "variables")
    out: set[str] = set()
    for name, decl in declared.items():
        if isinstance(decl, dict) and decl.get("sensitive") and isinstance(values.get(name), dict):
            # Any type: a sensitive list, map or number is as secret as a string.
            out |= sensitive_tree_values(values[name].get("value"))
    return out


def _member(doc: object, key: str) -> dict:
    """doc[key] when both are objects, else {} (a hostile plan may put anything there)."""
    value = doc.get(key) if isinstance(doc, dict) else None
    return value if isinstance(value, dict) else {}


MAX_PLAN_BYTES = 4 * 1024**3


def _read_bytes(path: str) -> bytes:
    """A plan file: a regular file, or a pipe (`-`, `<(terraform show -json tfplan)`).
    Opened non-blocking, so a FIFO with no writer reads as empty (an error) instead of
    waiting for ever; a device (`/dev/zero`) is refused."""
    if path == "-":
        return sys.stdin.buffer.read(MAX_PLAN_BYTES + 1)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as fh:
            mode = os.fstat(fd).st_mode
            if stat.S_ISDIR(mode):
                raise IsADirectoryError
            if not (stat.S_ISREG(mode) or stat.S_ISFIFO(mode)):
                raise InputError("is not a regular file or a pipe (a device?); tfecs does not read it", where=path)
            if stat.S_ISFIFO(mode) and hasattr(os, "set_blocking"):
                os.set_blocking(fd, True)  # a writer is there: wait for what it writes
            data = fh.read(MAX_PLAN_BYTES + 1)
        if len(data) > MAX_PLAN_BYTES:
            raise InputError(f"larger than {MAX_PLAN_BYTES // 1024**3} GiB; tfecs does not read it", where=path)
        return data
    except FileNotFoundError:
        raise InputError("no such file", where=path) from None
    except IsADirectoryError:
        raise InputError("is a directory", where=path) from None
    except OSError as exc:
        raise InputError(exc.strerror or str(exc), where=path) from None


def _marks_nothing(tree: object) -> bool:
    """A sensitivity tree that marks nothing at a glance: false, or an object whose
    members are all false or empty (`{"tags": {}, "tags_all": {}}`, most resources).
    Anything else is walked (sensitive_spans)."""
    return tree is False or tree is None or (type(tree) is dict and not any(tree.values()))


def scan(
    paths: Sequence[str],
    rules: Sequence[Rule],
    options: gate.GateOptions | None = None,
    src: SourceOptions | None = None,
    dockerfiles: Sequence[str] = (),
    suppressor=None,
    retain: list | None = None,
) -> Report:
    """`dockerfiles`: paths scanned as Dockerfiles whatever their names (among `paths`,
    a Dockerfile is recognised by its name). `suppressor`: a tfecs.suppress.Suppressor
    (inline, config and baseline ignores). `retain`: where a caller that is about to
    exit keeps each input's resources and models instead of having them freed one
    object at a time (~45 ms on a dense 10k plan; the CLI exits without freeing)."""
    options = options or gate.GateOptions()
    src = src or SourceOptions()
    report = Report(options=options, rules_run=len(rules), rules=list(rules))
    secrets: set[str] = set()
    parts: set[str] = set()  # strings inside sensitive documents: masked where they stand alone
    scoped: dict[str, set[str]] = {}  # address -> its common-word parts, masked in its findings only
    from .inputs.dockerfile import is_dockerfile_name

    for path in [*paths, *dockerfiles]:
        if path in dockerfiles or (path != "-" and is_dockerfile_name(path) and not os.path.isdir(path)):
            from .dockerfile_scan import scan_dockerfile

            scan_dockerfile(path, rules, options, report, suppressor=suppressor)
            continue
        where = "<stdin>" if path == "-" else path
        try:
            info, raws, has_prior, secret_vars = read_input(path, src, report.warnings)
        except TfecsError as exc:
            at = where if exc.where in (None, "-") else exc.where
            report.errors.append(ErrorInfo("input", exc.message, at))
            continue
        if path == "-":
            info.path = where
            for r in raws:
                r.input = where
        report.inputs.append(info)
        if src.source and info.kind != "hcl":
            report.warnings.extend(source_warnings(raws, src.source))
        with stage("secrets"):
            secrets |= secret_vars
            for raw in raws:
                if _marks_nothing(raw.after_sensitive) and _marks_nothing(raw.before_sensitive):
                    continue
                whole, inner = sensitive_spans((raw,))
                secrets |= whole
                parts |= {p for p in inner if not common_word(p)}
                words = {p for p in inner if common_word(p)}
                if words:
                    scoped.setdefault(raw.address, set()).update(words)
        with stage("model after"):
            after = Inventory.build(raws)
        report.errors.extend(ErrorInfo("resource", e.message, e.address) for e in after.errors)
        with stage("rules after"):
            found, rule_errors = engine.run(rules, after)
        for f in found:  # a whole-configuration finding (on `account`) has no resource to tell
            f.input = f.input or where
        report.errors.extend(ErrorInfo("rule", e.message, e.rule) for e in rule_errors)
        prior: list | None = None
        before: Inventory | None = None
        if has_prior and any(r.before is not None for r in raws):
            with stage("model before"):
                before = Inventory.build(raws, side="before", reuse=after)
            with stage("rules before"):
                prior, _ = engine.run(rules, before)
        elif has_prior:
            prior = []
        with stage("gate"):
            # Finding.file is relative to the directory the .tf files were read from.
            root = path if info.kind == "hcl" else src.source
            hook = suppressor.for_root(root) if suppressor is not None else None
            findings, fixed = gate.decide(found, prior, options, suppress=hook)
        report.findings.extend(findings)
        report.fixed.extend(fixed)
        if retain is not None:
            retain.append((raws, after, before, prior))
    if suppressor is not None:
        suppressor.finish(report)
    with stage("secrets"):
        keep = {f.address for f in report.findings} | {x.address for x in report.fixed}
        metas = {id(f.meta): f.meta for f in report.findings}.values()  # one per rule, not per finding
        keep |= {m.id for m in metas} | {f.resource_type for f in report.findings}
        # The rules' own words (a title saying "runs as root") are no part of a value.
        keep |= {t for m in metas for t in (m.title, m.remediation, m.docs_url)}
        mask_scoped_parts(report.findings, scoped, keep)
        report.redact = Redactor(secrets, keep, parts - secrets)
    return report
