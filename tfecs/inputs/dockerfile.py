"""Dockerfiles as input: which files are Dockerfiles, reading one safely, and the one
thing the rules need from it: the user each build stage runs as.

Parsing uses `dockerfile-parse` (pure Python: installs wherever tfecs does), which splits
instructions (line continuations, comments, the `escape` directive) with their lines.
It does not know BuildKit heredocs (`RUN <<EOF ... EOF`), whose bodies could otherwise
pass for instructions (a `user nginx;` line of a config file written by `COPY <<EOF`):
their bodies are blanked before parsing, lines kept.

Each stage records its effective user: its own last `USER`, else the user of the stage
it is built `FROM` (multi-stage builds), else none (the base image's, root unless it says
otherwise). `ARG` defaults (global ones re-declared in the stage, and the stage's own)
and `ENV` values are substituted into `USER`; a value that needs a build argument without
a default is unknown. The resource (type `dockerfile`) lives at the file's
repository-relative path.
"""

from __future__ import annotations

import io
import os
import re
from datetime import date
from typing import Any

from ..errors import InputError
from ..safeio import NotRegular, read_regular
from ..textsafe import escape_control
from .raw import Location, RawResource

MAX_BYTES = 1 << 20  # a Dockerfile is small: refuse to read anything larger
DOCKERFILE_TYPE = "dockerfile"


def is_dockerfile_name(path: str) -> bool:
    """`Dockerfile`, `*.Dockerfile` or `Dockerfile.*` (by name only; nothing is read)."""
    name = os.path.basename(path.rstrip("/\\"))
    return name == "Dockerfile" or (name.endswith(".Dockerfile") and len(name) > 11) or (name.startswith("Dockerfile.") and len(name) > 11)


def repository_root(path: str) -> str:
    """The repository a Dockerfile belongs to: the nearest directory above it holding
    `.git`; else the working directory when the file lies under it; else its directory."""
    from ..paths import git_root

    here = os.path.dirname(os.path.abspath(path))
    found = git_root(here)
    if found:
        return found
    cwd = os.getcwd()
    return cwd if _inside(here, cwd) else here


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def read_text(path: str, root: str | None = None) -> tuple[str, str]:
    """(repository-relative path, text) of a Dockerfile: a regular file inside `root`
    (the repository), reached through no symlink that leads out of it, at most MAX_BYTES."""
    root = root or repository_root(path)
    real_root = os.path.realpath(root)
    real = os.path.realpath(path)
    if not _inside(real, real_root):
        raise InputError("is outside the repository (or a symlink leading out of it): not read", where=path)
    try:
        data = read_regular(real, MAX_BYTES)
    except NotRegular as exc:
        if exc.too_large:
            raise InputError(f"is larger than {MAX_BYTES // 1024} KiB: not a Dockerfile tfecs reads", where=path) from None
        raise InputError("is not a regular file", where=path) from None
    except FileNotFoundError:
        raise InputError("no such file", where=path) from None
    except OSError as exc:
        raise InputError(exc.strerror or str(exc), where=path) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("is not UTF-8 text", where=path) from None
    if "\x00" in text:
        raise InputError("is not a text file", where=path)
    rel = os.path.relpath(real, real_root).replace(os.sep, "/")
    return rel, text


# Heredocs ------------------------------------------------------------------------------
_HEREDOC = re.compile(r"<<(-?)\s*([\"']?)([A-Za-z_][A-Za-z0-9_]*)\2")
_HEREDOC_INSTRUCTIONS = ("RUN", "COPY", "ADD")


def mask_heredocs(text: str) -> str:
    """The text with the bodies of BuildKit heredocs blanked (line count kept)."""
    lines = text.split("\n")
    out: list[str] = []
    pending: list[tuple[str, bool]] = []  # terminators still to come, and whether tabs strip
    instruction = ""
    continued = False
    for line in lines:
        if pending:
            word, strip_tabs = pending[0]
            candidate = line.rstrip("\r").lstrip("\t") if strip_tabs else line.rstrip("\r")
            out.append("")
            if candidate == word:
                pending.pop(0)
            continue
        stripped = line.strip()
        if not continued and stripped and not stripped.startswith("#"):
            instruction = stripped.split(None, 1)[0].upper()
        if instruction in _HEREDOC_INSTRUCTIONS and not stripped.startswith("#"):
            pending.extend((m.group(3), m.group(1) == "-") for m in _HEREDOC.finditer(line))
        continued = bool(stripped) and (stripped.endswith("\\") or stripped.endswith("`")) if not stripped.startswith("#") else continued
        out.append(line)
    return "\n".join(out)


# Variables -----------------------------------------------------------------------------
UNKNOWN = object()  # a build argument without a default: its value is given at build time
_VAR = re.compile(r"\\\$|\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))")


# Longer values are not judged (unknown): `ENV A=$A$A$A$A` twenty times grew a value to
# gigabytes, and an unterminated `${X:-${X:-...` costs the pattern quadratic time.
MAX_VALUE = 16 * 1024


def substitute(text: str, scope: dict[str, Any]) -> str | None:
    """`$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR:+alt}` from the scope; None when a
    value it needs is unknown, or the text or its value is longer than MAX_VALUE. An
    undefined variable is empty (as in a build)."""
    if len(text) > MAX_VALUE:
        return None
    unknown = False

    def repl(m: re.Match) -> str:
        nonlocal unknown
        if m.group(0) == "\\$":
            return "$"
        name = m.group(1) or m.group(4)
        op, word = m.group(2), m.group(3) or ""
        value = scope.get(name)
        if value is UNKNOWN:
            unknown = True
            return ""
        if op in (":-", "-"):
            return value if (value if op == ":-" else value is not None) else word
        if op in (":+", "+"):
            return word if (value if op == ":+" else value is not None) else ""
        return value or ""

    out = _VAR.sub(repl, text)
    return None if unknown or len(out) > MAX_VALUE else out


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    return text


def _key_values(value: str, env_form: bool) -> list[tuple[str, str | None]]:
    """`ARG a=1 b` / `ENV a=1 b="x y"` / legacy `ENV key value`."""
    import shlex

    value = value.strip()
    if env_form and "=" not in value.split(None, 1)[0]:
        key, _, rest = value.partition(" ")
        return [(key, _unquote(rest))]
    try:
        words = shlex.split(value, posix=True)
    except ValueError:
        words = value.split()
    out: list[tuple[str, str | None]] = []
    for w in words:
        key, sep, val = w.partition("=")
        out.append((key, val if sep else None))
    return out


# Stages --------------------------------------------------------------------------------
def parse_stages(text: str) -> list[dict]:
    """Every build stage with its effective user (see the module docs). Lines are 1-based."""
    from dockerfile_parse import DockerfileParser

    parser = DockerfileParser(fileobj=io.BytesIO(mask_heredocs(text).encode("utf-8")), env_replace=False)
    global_args: dict[str, Any] = {}
    stages: list[dict] = []
    by_name: dict[str, int] = {}
    scope: dict[str, Any] = {}
    for ins in parser.structure:
        kind, value, line = ins["instruction"], ins["value"] or "", ins["startline"] + 1
        if kind == "COMMENT":
            continue
        if kind == "ARG":
            for key, default in _key_values(value, env_form=False):
                target = global_args if not stages else scope
                if default is None:
                    # A global ARG without default is given at build time; re-declared in
                    # a stage, a global one brings its default in.
                    target[key] = UNKNOWN if not stages else global_args.get(key, UNKNOWN)
                else:
                    resolved = substitute(_unquote(default), target)
                    target[key] = UNKNOWN if resolved is None else resolved
        elif kind == "FROM":
            words = [w for w in value.split() if not w.startswith("--")]
            image = substitute(words[0], global_args) if words else None
            name = words[2] if len(words) >= 3 and words[1].lower() == "as" else None
            parent = by_name.get(image.lower()) if image is not None else None
            stage = {
                "index": len(stages),
                "name": name,
                "from_line": line,
                "base_stage": parent,
                "base_unknown": image is None,
                "user": None,
                "user_line": None,
                "user_unknown": False,
                "user_set": False,
            }
            env: dict[str, Any] = {}
            if parent is not None:
                p = stages[parent]
                stage.update(user=p["user"], user_line=p["user_line"], user_unknown=p["user_unknown"], user_set=p["user_set"])
                env = dict(p["_env"])
            stage["_env"] = env
            stages.append(stage)
            if name:
                by_name[name.lower()] = stage["index"]
            scope = dict(env)
        elif not stages:
            continue
        elif kind == "ENV":
            for key, val in _key_values(value, env_form=True):
                resolved = substitute(_unquote(val or ""), scope)
                stages[-1]["_env"][key] = scope[key] = UNKNOWN if resolved is None else resolved
        elif kind == "USER":
            resolved = substitute(value.strip(), scope)
            stage = stages[-1]
            stage.update(
                user=None if resolved is None else _unquote(resolved),
                user_line=line,
                user_unknown=resolved is None,
                user_set=True,
            )
    for s in stages:
        s.pop("_env", None)
    return stages


# Inline ignores ------------------------------------------------------------------------
_IGNORE = re.compile(r"^\s*#\s*tfecs:ignore:([a-z0-9]+(?:-[a-z0-9]+)*)(?::exp:(\d{4}-\d{2}-\d{2}))?(?:\s+(.*?))?\s*$")


def inline_ignores(text: str) -> list[dict]:
    """`# tfecs:ignore:RULE[:exp:YYYY-MM-DD] reason` comments, each with the line of the
    instruction right below its comment block (1-based)."""
    lines = text.splitlines()
    found: list[dict] = []
    block: list[dict] = []
    for i, line in enumerate(lines, 1):
        stripped = line.strip()
        if stripped.startswith("#"):
            m = _IGNORE.match(line)
            if m:
                block.append({"rule": m.group(1), "expires": m.group(2), "reason": escape_control((m.group(3) or "")[:200]), "line": i})
            continue
        if not stripped:
            block = []  # a blank line ends the comment block above an instruction
            continue
        for b in block:
            found.append({**b, "target": i})
        block = []
    return found


def suppression(ignores: list[dict], rule_ids: tuple[str, ...], line: int | None, file: str, today: date) -> tuple[dict | None, dict | None]:
    """(Finding.suppressed, an expired ignore) for a finding at `line`."""
    for ig in ignores:
        if ig["target"] != line or ig["rule"] not in rule_ids:
            continue
        where = f"{file}:{ig['line']}"
        if ig["expires"]:
            try:
                expired = date.fromisoformat(ig["expires"]) < today
            except ValueError:
                expired = True
            if expired:
                return None, {"where": where, "rule": ig["rule"], "expires": ig["expires"]}
        return {"source": "inline", "reason": ig["reason"], "expires": ig["expires"], "where": where}, None
    return None, None


def read_dockerfile(path: str, root: str | None = None) -> tuple[RawResource, list[dict]]:
    """One Dockerfile as a `dockerfile` resource, and its inline ignores."""
    rel, text = read_text(path, root)
    try:
        stages = parse_stages(text)
    except (ValueError, IndexError, KeyError) as exc:
        raise InputError(f"cannot parse this Dockerfile ({type(exc).__name__})", where=path) from None
    raw = RawResource(
        address=rel,
        mode="managed",
        type=DOCKERFILE_TYPE,
        name=os.path.basename(rel),
        after={"stages": stages},
        location=Location(rel, 1),
        origin="dockerfile",
        input=path,
    )
    return raw, inline_ignores(text)
