"""HCL input: scan Terraform source directories, and fill in what a plan knows only
after apply from the source it was made from.

- `load_directory(path)`: the root module and its local modules, evaluated as far as
  Terraform can before apply, as RawResources (`origin="hcl"`, no actions) with file:line.
- `enrich_plan(resources, source_dir)`: hybrid mode; maps each plan resource to its block
  (location), and evaluates the attributes the plan shows as unknown from the source,
  with the plan's known values substituted, so the known parts become real values.

Layers: `syntax` (parse), `evaluate` + `functions` + `types` (expressions), `config`
(a module directory), `modules` (instances, count/for_each, expansion), `hybrid`.

Nothing silent: a module that is not downloaded, a file outside the repository root
(see `confine.py`) and a root variable without a value are warnings for the report
(`warnings=`, a list the caller passes; items are `tfecs.report.WarningInfo`), each
saying what to do; the value involved is unknown and the scan goes on. What Terraform
itself rejects (syntax, undeclared references, cycles, a module calling itself) and a
budget running out (`budget.py`) are input errors with file:line (exit 2).

Why a value is unknown (an unsupported function, an expression this evaluator does not
follow) is logged on the `tfecs.hcl` logger at debug level; `TFECS_DEBUG=1` prints those
notes on stderr.
"""

from __future__ import annotations

import gc
import logging
import os
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Iterator

from ...errors import InputError
from ..raw import RawResource

if TYPE_CHECKING:  # the evaluator is imported only when something is evaluated
    from .budget import Budget
    from .modules import Loader


def _debug_notes() -> None:
    log = logging.getLogger("tfecs.hcl")
    if os.environ.get("TFECS_DEBUG") and not log.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("tfecs: debug: %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.DEBUG)


def load_directory(
    path: str,
    *,
    variables: dict[str, str] | None = None,
    var_files: tuple[str, ...] = (),
    warnings: list | None = None,
    budget: "Budget | None" = None,
) -> list[RawResource]:
    """`warnings`: a list that receives the scan's WarningInfo items (see the module doc).

    The result is kept in the evaluation cache (`evalcache.py`) with everything it was
    made from; a warm run whose files and inputs are unchanged takes it from there
    without parsing or evaluating. Not with a `budget` of the caller's, nor under
    TFECS_DEBUG (whose notes come from evaluating)."""
    _check_dir(path)
    _debug_notes()
    variables = dict(variables or {})
    var_files = tuple(var_files)
    from . import evalcache, record

    slot = evalcache.slot(path, variables, var_files) if budget is None and not os.environ.get("TFECS_DEBUG") else None
    kept = slot.load() if slot is not None else None
    if kept is not None:
        resources, found = kept
    else:
        from .modules import Loader

        with _errors_under(path, var_files), _fewer_collections(), record.Recorder() as rec:
            loader = Loader(path, variables, var_files, budget=budget)
            _check_root_files(loader, path)
            resources = list(loader.root_instance.expand())
        found = list(loader.warnings)
        if slot is not None:
            slot.store(rec, resources, found)
    _hand_warnings(found, path, var_files, warnings)
    for r in resources:
        r.input = path
    return resources


def enrich_plan(
    resources: list[RawResource],
    source_dir: str,
    *,
    variables: dict[str, str] | None = None,
    var_files: tuple[str, ...] = (),
    plan_variables: dict[str, Any] | None = None,
    warnings: list | None = None,
    budget: "Budget | None" = None,
) -> None:
    """`plan_variables`: the plan's root variable values (`{"name": value}`), which win
    over defaults and .tfvars files. `warnings`: as for load_directory."""
    from .hybrid import enrich
    from .modules import Loader

    _check_dir(source_dir)
    _debug_notes()
    with _errors_under(source_dir, var_files), _fewer_collections():
        loader = Loader(source_dir, dict(variables or {}), tuple(var_files), plan=resources, plan_variables=plan_variables, budget=budget)
        _check_root_files(loader, source_dir)
        enrich(loader, resources)
    _hand_warnings(list(loader.warnings), source_dir, var_files, warnings)


def _hand_warnings(found: list[tuple[str, str, str]], root: str, var_files: tuple[str, ...], out: list | None) -> None:
    if out is None:
        return
    from ...report import WarningInfo

    for kind, message, where in found:
        out.append(WarningInfo(kind, message, _shown(root, where, var_files)))


def _shown(root: str, where: str, var_files: tuple[str, ...]) -> str:
    if where and not os.path.isabs(where) and not where.startswith("--var") and where.split(":")[0] not in var_files:
        return os.path.normpath(os.path.join(root, where))
    return where


def _check_root_files(loader: "Loader", path: str) -> None:
    if not loader.root_instance.config.files:
        raise InputError("no .tf or .tf.json files that tfecs can read in this directory", where=".")  # shown as the directory


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Parsing and evaluating allocate hundreds of thousands of containers that stay
    alive (syntax trees, values): at the default thresholds the collector walks them
    again and again for nothing, a fifth of a cold parse's time. Collect far less often
    meanwhile (still collecting: a hostile input's cyclic garbage stays bounded); the
    parse workers forked meanwhile inherit it."""
    old = gc.get_threshold()
    gc.set_threshold(100_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*old)


@contextmanager
def _errors_under(root: str, var_files: tuple[str, ...]) -> Iterator[None]:
    """Errors name files relative to the scanned directory; show them as paths the
    user can open (`dir/main.tf:12`)."""
    try:
        yield
    except InputError as exc:
        where = exc.where
        if where:
            exc.where = _shown(root, where, var_files)
            exc.args = (f"{exc.where}: {exc.message}",)
        raise


def _check_dir(path: str) -> None:
    if not os.path.isdir(path):
        raise InputError("not a directory", where=path)
    if not any(n.endswith((".tf", ".tf.json")) for n in os.listdir(path)):
        raise InputError("no .tf files in this directory", where=path)


__all__ = ["load_directory", "enrich_plan"]
