"""Parsed `.tf` files, kept by content: a pre-commit hook or a monorepo job rescans mostly
unchanged files, and python-hcl2's Lark parser is most of an HCL scan's time.

- In memory, by the SHA-256 of the text: a file read twice in one process (a module
  called many times, hybrid after HCL) is parsed once.
- On disk, in the user's cache folder (`$TFECS_CACHE_DIR`, else `$XDG_CACHE_HOME/tfecs`,
  else `~/.cache/tfecs`), keyed by the text and the versions of tfecs, python-hcl2 and
  Lark. Entries are written to a temporary file and renamed, so concurrent runs never
  see half an entry. An entry is data, never trusted: it is unpickled with an unpickler
  that builds only the syntax-tree classes of `nodes.py` and plain values (no other
  callable can run), and anything unreadable is ignored and written anew. The folder is
  created private (0700) and not used if another user could write to it.
  `--no-cache` (or `TFECS_NO_CACHE=1`) turns the disk layer off.
- Cold files of one directory are parsed in worker processes when there are many.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import sys
from typing import Iterable

from ...safeio import NotRegular, read_regular
from . import nodes
from .nodes import Body

CACHE_FORMAT = 1
PARALLEL_MIN = 24  # cold files in one directory before worker processes pay off
MAX_FILE = 8 * 1024 * 1024  # larger files are parsed in the main process, never cached

_MEM: dict[str, Body] = {}
_MEM_MAX = 8192
_disk_enabled = os.environ.get("TFECS_NO_CACHE", "") in ("", "0")
_dir: str | None | bool = False  # False: not looked up yet; None: no usable folder
_salt: bytes | None = None


def disable_disk() -> None:
    """--no-cache: no entry read or written, here nor in the evaluation cache."""
    global _disk_enabled
    _disk_enabled = False
    from . import evalcache

    evalcache.disable()


def _versions() -> bytes:
    global _salt
    if _salt is None:
        import lark

        from ... import __version__

        try:
            from importlib.metadata import version

            hcl2_version = version("python-hcl2")
        except Exception:  # noqa: BLE001 - an unknown version still keys the cache
            hcl2_version = "?"
        _salt = f"tfecs-parse/{CACHE_FORMAT}/{__version__}/{hcl2_version}/{lark.__version__}\n".encode()
    return _salt


def key(text: str) -> str:
    return hashlib.sha256(_versions() + text.encode("utf-8", "surrogatepass")).hexdigest()


def cache_dir() -> str | None:
    """The disk cache's folder, created private; None where none is usable."""
    global _dir
    if _dir is not False:
        return _dir  # type: ignore[return-value]
    from .evalcache import private_folder

    _dir = private_folder(f"parse-v{CACHE_FORMAT}")
    return _dir


class _NodeUnpickler(pickle.Unpickler):
    """Builds the classes of `nodes.py` and nothing else (no function, no module)."""

    _ALLOWED = {name for name, obj in vars(nodes).items() if isinstance(obj, type) and obj.__module__ == nodes.__name__}

    def find_class(self, module: str, name: str):  # noqa: D102
        if module == nodes.__name__ and name in self._ALLOWED:
            return getattr(nodes, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not a syntax-tree class")


def loads(data: bytes) -> Body:
    body = _NodeUnpickler(io.BytesIO(data)).load()
    if not isinstance(body, Body):
        raise pickle.UnpicklingError("not a file body")
    return body


def dumps(body: Body) -> bytes:
    return pickle.dumps(body, protocol=pickle.HIGHEST_PROTOCOL)


def _entry(k: str) -> str | None:
    d = cache_dir() if _disk_enabled else None
    return os.path.join(d, k[:2], k) if d else None


def get(text: str, k: str | None = None) -> Body | None:
    if len(text) > MAX_FILE:
        return None
    k = k or key(text)
    body = _MEM.get(k)
    if body is not None:
        return body
    path = _entry(k)
    if path is None:
        return None
    try:
        with open(path, "rb") as fh:
            body = loads(fh.read())
    except FileNotFoundError:
        return None
    except Exception:  # noqa: BLE001 - a corrupt entry is ignored and rewritten
        _remove(path)
        return None
    _remember(k, body)
    return body


def put(text: str, body: Body, k: str | None = None, data: bytes | None = None) -> None:
    if len(text) > MAX_FILE:
        return
    k = k or key(text)
    _remember(k, body)
    path = _entry(k)
    if path is None:
        return
    try:
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        tmp = f"{path}.{os.getpid()}.tmp"
        with open(tmp, "wb") as fh:
            fh.write(data if data is not None else dumps(body))
        os.replace(tmp, path)  # atomic: a concurrent reader sees all of it or nothing
    except OSError:
        _remove(f"{path}.{os.getpid()}.tmp")


def _remember(k: str, body: Body) -> None:
    if len(_MEM) >= _MEM_MAX:
        _MEM.pop(next(iter(_MEM)))
    _MEM[k] = body


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _text(path: str) -> str | None:
    """The text of a regular file that is no symlink, read without blocking on a FIFO;
    None for anything else (the loader reads it itself and says what is wrong)."""
    try:
        return read_regular(path, MAX_FILE).decode("utf-8")
    except (OSError, NotRegular, UnicodeDecodeError):
        return None


def _parse_one(text: str) -> bytes | None:
    """In a worker: the pickled body of one file, or None where it does not parse (the
    main process parses it again and reports the error with its file:line)."""
    from .syntax import parse_body

    try:
        return dumps(parse_body(text, "-"))
    except Exception:  # noqa: BLE001
        return None


def warm(paths: Iterable[str], texts: dict[str, str] | None = None) -> int:
    """Parse the cold files among `paths` in worker processes when there are many, so
    the loader's sequential pass finds them cached. Returns how many were parsed.
    `texts` receives what was read (path -> text), so the loader reads no file twice."""
    cold: list[tuple[str, str]] = []
    for path in paths:
        text = _text(path)
        if text is None:
            continue
        if texts is not None:
            texts[path] = text
        k = key(text)
        if get(text, k) is None:
            cold.append((k, text))
    workers = min(len(cold) // (PARALLEL_MIN // 2) or 1, os.cpu_count() or 1)
    if len(cold) < PARALLEL_MIN or workers < 2 or sys.platform != "linux":
        return 0
    import multiprocessing

    if multiprocessing.current_process().daemon:
        return 0  # a monorepo's root scanned in a pool worker: the roots are the parallelism

    # fork: the workers inherit the built Lark parser and the imported modules.
    from .syntax import lark_parser

    lark_parser()
    ctx = multiprocessing.get_context("fork")
    texts = [t for _, t in cold]
    with ctx.Pool(workers) as pool:
        results = pool.map(_parse_one, texts, chunksize=max(1, len(texts) // (workers * 4)))
    done = 0
    for (k, text), data in zip(cold, results):
        if data is None:
            continue
        try:
            body = loads(data)
        except Exception:  # noqa: BLE001
            continue
        put(text, body, k, data)
        done += 1
    return done
