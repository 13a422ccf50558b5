"""Reading a file named by the input without being stopped or flooded by it: a FIFO
would block for ever, a device (`/dev/zero`) never ends, a symlink may be swapped at the
last moment. One way to read, for every reader of input files (the HCL evaluator, the
parse cache, Dockerfiles, baselines)."""

from __future__ import annotations

import os
import stat

MAX_FILE_BYTES = 64 * 1024 * 1024  # one file tfecs reads (a .tf, a template, a file())


class NotRegular(Exception):
    """A path tfecs does not read: not a regular file (a FIFO, a socket, a device, a
    directory), or larger than the limit (`too_large`). `str(exc)` says which."""

    def __init__(self, reason: str, too_large: bool = False):
        super().__init__(reason)
        self.too_large = too_large


def read_regular(path: str, limit: int = MAX_FILE_BYTES, *, follow: bool = False) -> bytes:
    """The bytes of a regular file of at most `limit` bytes. Opened non-blocking (a FIFO
    never blocks) and, unless `follow`, without following a final symlink; then checked
    with fstat, so what is read is what was checked. OSError passes through."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    if not follow:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except IsADirectoryError:
        raise NotRegular("is a directory") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotRegular("is a directory" if stat.S_ISDIR(st.st_mode) else "is not a regular file (a FIFO, socket or device)")
        too_large = NotRegular(f"is larger than {limit // (1024 * 1024)} MiB", too_large=True)
        if st.st_size > limit:
            raise too_large
        chunks = []
        total = 0
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            total += len(chunk)
            if total > limit:
                raise too_large
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)
