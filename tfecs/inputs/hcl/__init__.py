"""HCL input: scan Terraform source directories, and fill in what a plan knows only
after apply from the source it was made from.

- `load_directory(path)`: the root module and its local modules, evaluated as far as
  Terraform can before apply, as RawResources (`origin="hcl"`, no actions) with file:line.
- `enrich_plan(resources, source_dir)`: hybrid mode; maps each plan resource to its block
  (location), and evaluates the attributes the plan shows as unknown from the source,
  with the plan's known values substituted, so the known parts become real values.

Layers: `syntax` (parse), `evaluate` + `functions` + `types` (expressions), `config`
(a module directory), `modules` (instances, count/for_each, expansion), `hybrid`.

Why a value is unknown (an unsupported function, a module that is not downloaded, an
expression Terraform would reject) is logged on the `tfecs.hcl` logger at debug level;
`TFECS_DEBUG=1` prints those notes on stderr.
"""

from __future__ import annotations

import logging
import os
from contextlib import contextmanager
from typing import Any, Iterator

from ...errors import InputError
from ..raw import RawResource
from .hybrid import enrich
from .modules import Loader


def _debug_notes() -> None:
    log = logging.getLogger("tfecs.hcl")
    if os.environ.get("TFECS_DEBUG") and not log.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("tfecs: debug: %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.DEBUG)


def load_directory(path: str, *, variables: dict[str, str] | None = None, var_files: tuple[str, ...] = ()) -> list[RawResource]:
    _check_dir(path)
    _debug_notes()
    with _errors_under(path, var_files):
        loader = Loader(path, dict(variables or {}), tuple(var_files))
        resources = list(loader.root_instance.expand())
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
) -> None:
    """`plan_variables`: the plan's root variable values (`{"name": value}`), which win
    over defaults and .tfvars files."""
    _check_dir(source_dir)
    _debug_notes()
    with _errors_under(source_dir, var_files):
        loader = Loader(source_dir, dict(variables or {}), tuple(var_files), plan=resources, plan_variables=plan_variables)
        enrich(loader, resources)


@contextmanager
def _errors_under(root: str, var_files: tuple[str, ...]) -> Iterator[None]:
    """Errors name files relative to the scanned directory; show them as paths the
    user can open (`dir/main.tf:12`)."""
    try:
        yield
    except InputError as exc:
        where = exc.where
        if where and not os.path.isabs(where) and not where.startswith("--var") and where.split(":")[0] not in var_files:
            exc.where = os.path.normpath(os.path.join(root, where))
            exc.args = (f"{exc.where}: {exc.message}",)
        raise


def _check_dir(path: str) -> None:
    if not os.path.isdir(path):
        raise InputError("not a directory", where=path)
    if not any(n.endswith(".tf") for n in os.listdir(path)):
        raise InputError("no .tf files in this directory", where=path)


__all__ = ["load_directory", "enrich_plan"]
