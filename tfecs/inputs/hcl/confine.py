"""One confinement rule for every file the HCL evaluator reads (`.tf`, `.tf.json`,
`.tfvars`, `file()`, `templatefile()`, module sources), and the evaluator's warnings.

The input is hostile (a pull request from anyone) and the report lands where its author
can read it, so a read is allowed only:

- inside the repository root: the enclosing git work tree of the scan root (the nearest
  folder above it holding `.git`), or the scan root itself if there is none;
- never inside a `.git` folder (a CI checkout keeps its token in `.git/config`);
- never through a symlink that leaves the root (the real path must be inside it);
- of a regular file only: a FIFO, socket or device is never opened for reading in a way
  that could block (opened non-blocking, then checked with fstat).

A path that breaks the rule is not read: the caller turns it into a warning
(`file-outside-root`) and an unknown value, and the scan goes on.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass

from ...safeio import MAX_FILE_BYTES, NotRegular  # noqa: F401 - the evaluator's reads
from . import record

# The evaluator's one way to read a file: safeio.read_regular, noted while an evaluation
# is recorded for the evaluation cache (record.py).
read_regular = record.read


class Outside(Exception):
    """A path that breaks the confinement rule; `reason` says how (never its content)."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


_declared_root: str | None = None


def declare_repository_root(path: str | None) -> None:
    """A monorepo scanned with `--recursive DIR` outside any git work tree: DIR is the
    repository its root modules share (their `../modules` calls stay inside it)."""
    global _declared_root
    _declared_root = os.path.realpath(path) if path else None


def repository_root(scan_root: str) -> str:
    """The enclosing git work tree of `scan_root` (real path); else the declared
    repository root if it holds `scan_root`; else `scan_root` itself."""
    start = os.path.realpath(scan_root)
    d = start
    while True:
        if os.path.lexists(os.path.join(d, ".git")):
            return d
        parent = os.path.dirname(d)
        if parent == d:
            break
        d = parent
    if _declared_root and _inside(start, _declared_root):
        return _declared_root
    return start


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _in_git_dir(path: str, root: str) -> bool:
    rel = os.path.relpath(path, root)
    return ".git" in rel.split(os.sep)


@dataclass(frozen=True, slots=True)
class Confinement:
    root: str  # real path of the repository root

    @classmethod
    def for_scan(cls, scan_root: str) -> "Confinement":
        return cls(repository_root(scan_root))

    def check(self, path: str) -> str:
        """The real path of `path` (absolute), or Outside."""
        lexical = os.path.normpath(os.path.abspath(path))
        real = record.realpath(lexical)
        if not _inside(real, self.root):
            if _inside(lexical, self.root):
                raise Outside("it is a symlink that leads out of the repository")
            raise Outside("it is outside the repository")
        if _in_git_dir(real, self.root) or (_inside(lexical, self.root) and _in_git_dir(lexical, self.root)):
            raise Outside("it is inside the repository's .git folder")
        return real

    def read_bytes(self, path: str, limit: int = MAX_FILE_BYTES) -> bytes:
        """The bytes of a regular file inside the root. Raises Outside, NotRegular,
        FileNotFoundError, or OSError."""
        return read_regular(self.check(path), limit)


def is_regular(path: str) -> bool:
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False
