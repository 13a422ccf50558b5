"""What an evaluation looked at on disk, so its result can be reused while none of it
changed (`evalcache.py`).

Every file-system question the HCL evaluator asks goes through the functions here: a
file's bytes (`read`), a folder's names (`listdir`), where a path really leads
(`realpath`), whether it is a folder or exists, and what kind of file it is (`kind`).
While a `Recorder` is active, each question and its answer (a file by its SHA-256, an
error by its kind) is noted; `changed()` asks the same questions again later and says
whether any answer differs. Outside a recording they are the plain calls.

Small and without imports of its own beyond the standard library: the warm path
validates a cache entry through it without loading the evaluator.
"""

from __future__ import annotations

import hashlib
import os
import stat
import threading

from ...safeio import MAX_FILE_BYTES, NotRegular, read_regular


class _State(threading.local):
    active: "Recorder | None" = None  # per thread: two scans in two threads never mix


_state = _State()


class Recorder:
    """The questions one evaluation asked, in order of first asking, with their answers.
    An answer that differs from an earlier answer to the same question (the tree changed
    while it was read) makes the recording `unstable`: it must not be stored."""

    __slots__ = ("deps", "unstable", "_outer")

    def __init__(self) -> None:
        self.deps: dict[tuple[str, str], object] = {}
        self.unstable = False
        self._outer: "Recorder | None" = None

    def note(self, op: str, path: str, answer: object) -> None:
        key = (op, path)
        old = self.deps.setdefault(key, answer)
        if old != answer:
            self.unstable = True

    def __enter__(self) -> "Recorder":
        self._outer = _state.active
        _state.active = self
        return self

    def __exit__(self, *exc: object) -> None:
        _state.active = self._outer


def recording() -> bool:
    return _state.active is not None


def _error(exc: BaseException) -> str:
    if isinstance(exc, NotRegular):
        return f"!{exc}"
    if isinstance(exc, OSError):
        return f"!{type(exc).__name__}:{exc.errno}"
    return f"!{type(exc).__name__}"


# The questions. Each records (op, path) -> answer while recording; `_ASK` answers them
# again for `changed`.


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read(path: str, limit: int = MAX_FILE_BYTES, *, follow: bool = False) -> bytes:
    """safeio.read_regular, noted as the file's digest (or the error's kind). Only the
    default limit without `follow` is noted (the evaluator's reads)."""
    rec = _state.active
    if rec is None or limit != MAX_FILE_BYTES or follow:
        return read_regular(path, limit, follow=follow)
    try:
        data = read_regular(path, limit)
    except (OSError, NotRegular) as exc:
        rec.note("R", path, _error(exc))
        raise
    rec.note("R", path, _digest(data))
    return data


def note_text(path: str, text: str) -> None:
    """A file read elsewhere (the parse cache's warm-up) whose text the evaluator uses:
    noted as if `read` had read it (the text is strict UTF-8 of the bytes)."""
    rec = _state.active
    if rec is not None:
        rec.note("R", path, _digest(text.encode("utf-8", "surrogatepass")))


def _ask_read(path: str) -> object:
    try:
        return _digest(read_regular(path))
    except (OSError, NotRegular) as exc:
        return _error(exc)


def listdir(path: str) -> list[str]:
    rec = _state.active
    if rec is None:
        return os.listdir(path)
    try:
        names = os.listdir(path)
    except OSError as exc:
        rec.note("L", path, _error(exc))
        raise
    rec.note("L", path, "\0".join(sorted(names)))
    return names


def _ask_listdir(path: str) -> object:
    try:
        return "\0".join(sorted(os.listdir(path)))
    except OSError as exc:
        return _error(exc)


def realpath(path: str) -> str:
    real = os.path.realpath(path)
    rec = _state.active
    if rec is not None:
        rec.note("P", path, real)
    return real


def isdir(path: str) -> bool:
    answer = os.path.isdir(path)
    rec = _state.active
    if rec is not None:
        rec.note("D", path, answer)
    return answer


def exists(path: str) -> bool:
    answer = os.path.exists(path)
    rec = _state.active
    if rec is not None:
        rec.note("E", path, answer)
    return answer


def kind(path: str) -> int:
    """stat.S_IFMT of what `path` leads to (follows symlinks); OSError passes through."""
    rec = _state.active
    try:
        answer = stat.S_IFMT(os.stat(path).st_mode)
    except OSError as exc:
        if rec is not None:
            rec.note("K", path, _error(exc))
        raise
    if rec is not None:
        rec.note("K", path, answer)
    return answer


def _ask_kind(path: str) -> object:
    try:
        return stat.S_IFMT(os.stat(path).st_mode)
    except OSError as exc:
        return _error(exc)


_ASK = {
    "R": _ask_read,
    "L": _ask_listdir,
    "P": os.path.realpath,
    "D": os.path.isdir,
    "E": os.path.exists,
    "K": _ask_kind,
}


def changed(deps) -> bool:
    """Whether any recorded question gets another answer now (or is not one of ours)."""
    for op, path, answer in deps:
        ask = _ASK.get(op)
        if ask is None or not isinstance(path, str) or ask(path) != answer:
            return True
    return False
