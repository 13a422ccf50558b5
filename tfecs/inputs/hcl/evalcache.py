"""Evaluated scan roots, kept while nothing they depend on changed: a pre-commit hook or
a monorepo job rescans mostly unchanged trees, and a warm scan then needs neither the
parser nor the evaluator.

An entry holds what `load_directory` hands on (the RawResources and the evaluator's
warnings) and every question the evaluation asked the file system (`record.py`): each
file it read by SHA-256 (`.tf`, `.tfvars`, `--var-file`, `modules.json`, `file()` and
friends), each folder it listed, each path it resolved, each `isdir`/`fileexists` probe.
It is found by a key of everything else the result depends on: the scan root's real
path and its repository root, `--var` values, `--var-file` paths, the `TF_*`
environment (`TF_VAR_*`, `TF_WORKSPACE`), the code (tfecs's version and the size and
mtime of every file of tfecs, python-hcl2 and Lark), the Python version. A warm run
asks the recorded questions again (the files are hashed again) and uses the entry only
if every answer is the same; otherwise it evaluates and writes the entry anew.

Safety, as for the parse cache (`parsecache.py`, same private folder, 0700, not used if
another user could write to it):

- An entry is data, never trusted to build objects: it is unpickled with an unpickler
  that builds only RawResource, Location, Pattern and Hole (no other class, no
  function), and its shape is checked. Anything unreadable (corrupt, truncated, a
  symlink, larger than `MAX_ENTRY`) is ignored and written anew.
- Checking an entry reads only paths inside the repository root or the `--var-file`s
  the user named: an entry naming any other path is ignored (a cache entry never makes
  tfecs read outside the repository). Where a path leads (realpath, no content read)
  may be asked of any path, as the evaluator does before refusing to read it.
- Written to a temporary file and renamed: a concurrent run sees all of an entry or none.
- `--no-cache` / `TFECS_NO_CACHE=1` turns it off (nothing read, nothing written);
  `TFECS_DEBUG=1` evaluates every time (its notes come from the evaluation).

The values kept may include secrets a `.tfvars` file or a `--var` gives (a sensitive
variable's value flowing into an attribute), in a folder only the user can open. See
docs/hcl.md, "Caches", for why that is kept and how to keep nothing.
"""

from __future__ import annotations

import gc
import hashlib
import io
import json
import os
import pickle
import stat
import sys
from typing import Any

from ...safeio import NotRegular, read_regular
from ..raw import Location, RawResource
from . import record
from .confine import repository_root

FORMAT = 1
MAX_ENTRY = 64 * 1024 * 1024
_MAGIC = "tfecs-eval"

_disk_enabled = os.environ.get("TFECS_NO_CACHE", "") in ("", "0")
_code: str | None = None


def disable() -> None:
    global _disk_enabled
    _disk_enabled = False


def private_folder(name: str, base: str | None = None) -> str | None:
    """`name` under `base`, by default the user's cache folder (`$TFECS_CACHE_DIR`, else
    `$XDG_CACHE_HOME/tfecs`, else `~/.cache/tfecs`), created private (0700); None
    where it cannot be, or is not the user's, or another user could write to it."""
    base = base or os.environ.get("TFECS_CACHE_DIR")
    if not base:
        xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        base = os.path.join(xdg, "tfecs")
    path = os.path.join(base, name)
    try:
        os.makedirs(path, mode=0o700, exist_ok=True)
        st = os.stat(path)
        # Another user able to write entries could feed us any result. (Windows has no
        # uid nor mode bits: there the folder's ACL, inherited from the profile, rules.)
        uid = getattr(os, "getuid", None)
        if uid is not None and (st.st_uid != uid() or st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)):
            return None
    except OSError:
        return None
    return path


def _files_of(directory: str | None, suffixes: tuple[str, ...], deep: bool = False) -> list:
    """(path, size, mtime) of the files of a package folder (and its subfolders when
    `deep`): a new release, a reinstall or an edited source rewrites them."""
    if not directory:
        return ["?"]
    out: list = []
    try:
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError:
        return ["?"]
    for entry in entries:
        try:
            if entry.name.endswith(suffixes) and entry.is_file():
                st = entry.stat()
                out.append((entry.name, st.st_size, st.st_mtime_ns))
            elif deep and entry.is_dir(follow_symlinks=False) and entry.name != "__pycache__":
                out.append((entry.name, _files_of(entry.path, suffixes, deep)))
        except OSError:
            continue
    return out


def _package_dir(name: str) -> str | None:
    """The folder of an installed package, without importing it (nor importlib.util,
    3 ms of a warm run, unless the package is not a plain folder on sys.path)."""
    for entry in sys.path:
        folder = os.path.join(entry or ".", name)
        if os.path.isfile(os.path.join(folder, "__init__.py")):
            return folder
    try:
        import importlib.util

        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    locations = spec.submodule_search_locations if spec else None
    return list(locations)[0] if locations else None


def code_fingerprint() -> str:
    """tfecs's version, and the files whose code makes the result: all of tfecs (the
    evaluator uses the model's pattern classes, the secret scanner for the names it
    shows...), the parser's (python-hcl2 and its grammar, Lark); the Python version."""
    global _code
    if _code is None:
        from ... import __version__

        tfecs_dir = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        parts = [
            __version__,
            sys.version,
            _files_of(tfecs_dir, (".py", ".json"), deep=True),
            _files_of(_package_dir("hcl2"), (".py", ".lark")),
            _files_of(_package_dir("lark"), (".py", ".lark")),
        ]
        _code = hashlib.sha256(json.dumps(parts).encode()).hexdigest()
    return _code


class Slot:
    """The entry of one scan root with given inputs: `load()` it, or `store()` it."""

    def __init__(self, root: str, variables: dict[str, str], var_files: tuple[str, ...]):
        real = os.path.realpath(root)
        self.repo = repository_root(real)
        # The --var-files, which may lie outside the repository (the user named them).
        self.var_paths = {os.path.abspath(p) for p in var_files} | {os.path.realpath(p) for p in var_files}
        env = sorted((k, v) for k, v in os.environ.items() if k.startswith("TF_"))
        parts = [_MAGIC, FORMAT, real, self.repo, sorted(variables.items()), [(p, os.path.abspath(p)) for p in var_files], env]
        # The file is named by the scan and its inputs; the key adds the code. A new
        # release or an edited checkout overwrites the entry instead of adding one.
        name = hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode("utf-8", "surrogatepass")).hexdigest()
        self.key = hashlib.sha256(f"{name}/{code_fingerprint()}".encode()).hexdigest()
        folder = private_folder(f"eval-v{FORMAT}")
        self.path = os.path.join(folder, name[:2], name) if folder else None

    def _allowed(self, op: str, path: str) -> bool:
        """Whether asking this question again stays inside what a scan may read. Where a
        path leads (`P`, no content read) may be asked of any path: the evaluator asks
        it of every path it is given, and a path that leads out is then not read."""
        if op == "P":
            return True
        repo = self.repo.rstrip(os.sep) + os.sep
        return path == self.repo or path.startswith(repo) or path in self.var_paths

    def load(self) -> tuple[list[RawResource], list[tuple[str, str, str]]] | None:
        """The kept result, if the entry is sound and every dependency is unchanged."""
        if self.path is None:
            return None
        try:
            data = read_regular(self.path, MAX_ENTRY)  # no symlink, no FIFO, bounded
        except FileNotFoundError:
            return None
        except (OSError, NotRegular):
            _remove(self.path)
            return None
        collecting = gc.isenabled()
        gc.disable()  # thousands of containers, none of them garbage: no collection pass
        try:
            entry = _Unpickler(io.BytesIO(data)).load()
            deps, resources, warnings = _checked(entry, self.key)
        except Exception:  # noqa: BLE001 - a corrupt entry, or one of other code: ignored and rewritten
            _remove(self.path)
            return None
        finally:
            if collecting:
                gc.enable()
        if not all(self._allowed(op, p) for op, p, _ in deps):
            _remove(self.path)
            return None
        try:
            if record.changed(deps):
                return None
        except Exception:  # noqa: BLE001 - a question that cannot be asked (a NUL in a path): evaluate
            return None
        return resources, warnings

    def store(self, rec: record.Recorder, resources: list[RawResource], warnings: list[tuple[str, str, str]]) -> bool:
        """Keep the result (before anything downstream changes it). Not kept when the
        tree changed while it was read, or when it is larger than MAX_ENTRY."""
        if self.path is None or rec.unstable:
            return False
        deps = [(op, path, answer) for (op, path), answer in rec.deps.items()]
        if not all(self._allowed(op, p) for op, p, _ in deps):
            return False  # cannot happen (every read is confined); then keep nothing
        tmp = f"{self.path}.{os.getpid()}.tmp"
        try:
            os.makedirs(os.path.dirname(self.path), mode=0o700, exist_ok=True)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o600)
            with os.fdopen(fd, "wb") as fh:
                # Written as it is pickled, and given up at MAX_ENTRY: a huge result
                # costs neither a second copy in memory nor more than MAX_ENTRY of disk.
                pickle.Pickler(_Bounded(fh), protocol=pickle.HIGHEST_PROTOCOL).dump((_MAGIC, FORMAT, self.key, deps, resources, list(warnings)))
            os.replace(tmp, self.path)  # atomic: a concurrent reader sees all of it or nothing
        except Exception:  # noqa: BLE001 - too large, a value pickle cannot write, a full disk: keep nothing
            _remove(tmp)
            return False
        return True


class _TooLarge(Exception):
    pass


class _Bounded:
    """A file's write(), raising _TooLarge past MAX_ENTRY bytes."""

    __slots__ = ("fh", "size")

    def __init__(self, fh) -> None:
        self.fh = fh
        self.size = 0

    def write(self, data) -> int:
        self.size += len(data)
        if self.size > MAX_ENTRY:
            raise _TooLarge
        return self.fh.write(data)


def slot(root: str, variables: dict[str, str], var_files: tuple[str, ...]) -> Slot | None:
    """The entry for this scan, or None when the cache is off."""
    if not _disk_enabled:
        return None
    return Slot(root, variables, var_files)


class _Unpickler(pickle.Unpickler):
    """Builds RawResource, Location, Pattern, Hole and nothing else (no function)."""

    def find_class(self, module: str, name: str):  # noqa: D102
        if module == RawResource.__module__ and name in ("RawResource", "Location"):
            return RawResource if name == "RawResource" else Location
        if module == "tfecs.model.patterns" and name in ("Pattern", "Hole"):
            from ...model import patterns

            return getattr(patterns, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in an evaluation entry")


def _checked(entry: Any, key: str) -> tuple[list, list[RawResource], list[tuple[str, str, str]]]:
    if not (isinstance(entry, tuple) and len(entry) == 6 and entry[:3] == (_MAGIC, FORMAT, key)):
        raise ValueError("not an entry for this key")
    deps, resources, warnings = entry[3:]
    if not isinstance(deps, list) or not all(isinstance(d, tuple) and len(d) == 3 and isinstance(d[1], str) for d in deps):
        raise ValueError("bad dependencies")
    if not isinstance(resources, list) or not all(type(r) is RawResource and isinstance(r.address, str) for r in resources):
        raise ValueError("bad resources")
    if not isinstance(warnings, list) or not all(isinstance(w, tuple) and len(w) == 3 and all(isinstance(x, str) for x in w) for w in warnings):
        raise ValueError("bad warnings")
    return deps, resources, warnings


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
