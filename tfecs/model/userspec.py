"""Whether a container's user (`USER` of a Dockerfile, `user` of an ECS container
definition) is the Linux superuser, as the runtime resolves it.

Docker and the ECS agent resolve `user[:group]` with moby's user package: a name found
in the image's /etc/passwd, else a number read by Go's `strconv.Atoi`, which takes an
optional sign and ASCII digits. So `+0`, `-0` and `0000` are all uid 0, while `٠` or
`²` (digits to Python's `str.isdigit`, not to Go) name no user at all."""

from __future__ import annotations

import re

_GO_ATOI = re.compile(r"[+-]?[0-9]+\Z")


def is_uid_zero(name: str) -> bool:
    """`name` (the part before `:`) is read as uid 0."""
    return bool(_GO_ATOI.match(name)) and int(name) == 0


def names_root(user: str | None, *, ignore_case: bool = False) -> bool:
    """`user` (`name`, `uid`, `name:group`) runs as root: `root` or uid 0."""
    who = (user or "").split(":", 1)[0].strip()
    return (who.lower() if ignore_case else who) == "root" or is_uid_zero(who)
