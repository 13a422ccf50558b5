"""A module directory's configuration: its variables, locals, resources, data sources,
module calls and outputs, read from the files Terraform would read: `*.tf` and
`*.tf.json` (JSON syntax, `jsonsyntax.py`) in lexical order, then the override files
(`override.tf`, `*_override.tf` and their `.tf.json` forms) merged in with Terraform's
override rules.

Every file obeys the confinement rule (`confine.py`): a file that is a symlink out of the
repository is not read (a `file-outside-root` warning); one that is a FIFO, socket or
device fails the scan (it could not be read without blocking); a directory named
`x.tf` is skipped, as Terraform does.

Configuration Terraform rejects is an error with file:line: an argument at the top
level, a block type Terraform does not know there, an override with nothing to override.
"""

from __future__ import annotations

import os
import stat
from collections import OrderedDict
from dataclasses import dataclass, field

from ...errors import InputError
from . import parsecache, record
from .confine import Confinement, NotRegular, Outside, read_regular
from .jsonsyntax import parse_json_body
from .nodes import Attribute, Block, Body, Lit
from .syntax import HclSyntaxError, parse_body, shown_token

# Top-level block types Terraform 1.11 knows, and how many labels each has.
TOP_LEVEL = {
    "terraform": 0,
    "provider": 1,
    "variable": 1,
    "locals": 0,
    "output": 1,
    "module": 1,
    "resource": 2,
    "data": 2,
    "ephemeral": 2,
    "moved": 0,
    "import": 0,
    "removed": 0,
    "check": 1,
}

# Parsed files by (path, name, mtime, size): a module called many times is parsed once, and so
# is a directory scanned twice in one process (the test suite, hybrid after HCL).
_PARSED: "OrderedDict[tuple, Body]" = OrderedDict()
_PARSED_MAX = 4096


def parse_file(path: str, rel: str, text: str | None = None) -> Body:
    """`path`: a real path that passed the confinement check (or `text`, already read)."""
    try:
        st = os.stat(path)
    except OSError as exc:
        raise InputError(exc.strerror or str(exc), where=rel) from None
    key = (path, rel, st.st_mtime_ns, st.st_size, st.st_ino)
    # While an evaluation is recorded, every file it uses is read (and noted): a file
    # known here by its stat alone would leave the evaluation cache blind to it.
    body = None if record.recording() else _PARSED.get(key)
    if body is not None:
        _PARSED.move_to_end(key)
        return body
    if text is not None:
        record.note_text(path, text)
    else:
        try:
            data = read_regular(path)
        except NotRegular as exc:
            raise InputError(f"the file {exc}; tfecs does not read it", where=rel) from None
        except OSError as exc:
            raise InputError(exc.strerror or str(exc), where=rel) from None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(f"not UTF-8 text (byte {exc.start})", where=rel) from None
    if path.endswith(".json"):
        try:
            body = parse_json_body(text[1:] if text.startswith("\ufeff") else text, rel)
        except HclSyntaxError as exc:
            raise InputError(f"JSON configuration error: {exc.message}", where=f"{rel}:{exc.line}") from None
    else:
        body = parsecache.get(text)
        if body is None:
            body = parse_body(text, rel)
            parsecache.put(text, body)
    _PARSED[key] = body
    if len(_PARSED) > _PARSED_MAX:
        _PARSED.popitem(last=False)
    return body


@dataclass(slots=True)
class Variable:
    name: str
    block: Block

    @property
    def default(self) -> Attribute | None:
        return self.block.body.attributes.get("default")

    @property
    def type(self):
        attr = self.block.body.attributes.get("type")
        return attr.expr if attr else None

    def flag(self, name: str, default: bool) -> bool:
        attr = self.block.body.attributes.get(name)
        if attr is not None and isinstance(attr.expr, Lit) and isinstance(attr.expr.value, bool):
            return attr.expr.value
        return default


@dataclass(slots=True)
class ModuleCall:
    name: str
    source: str
    block: Block


@dataclass(slots=True)
class ModuleConfig:
    dir: str  # absolute
    variables: dict[str, Variable] = field(default_factory=dict)
    locals: dict[str, tuple[Attribute, str]] = field(default_factory=dict)  # name -> (attribute, file)
    resources: dict[str, Block] = field(default_factory=dict)  # "type.name" / "data.type.name"
    modules: dict[str, ModuleCall] = field(default_factory=dict)
    outputs: dict[str, Block] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)


def is_config_file(filename: str) -> bool:
    return filename.endswith((".tf", ".tf.json"))


def is_override(filename: str) -> bool:
    stem = filename[: -len(".tf.json")] if filename.endswith(".tf.json") else filename[: -len(".tf")]
    return stem == "override" or stem.endswith("_override")


def config_files(directory: str, root: str, conf: Confinement, warn) -> list[tuple[str, str]]:
    """(real path, name) of the configuration files Terraform reads in `directory`,
    primary files first then override files, each group in lexical order."""
    try:
        names = sorted(record.listdir(directory))
    except OSError as exc:
        raise InputError(exc.strerror or str(exc), where=_rel(directory, root)) from None
    found: list[tuple[str, str]] = []
    for name in names:
        if not is_config_file(name) or name.startswith((".", "#")) or name.endswith("~"):
            continue
        full = os.path.join(directory, name)
        rel = _rel(full, root)
        try:
            real = conf.check(full)
        except Outside as exc:
            warn("file-outside-root", f"{name} is not read: {exc.reason}", rel)
            continue
        try:
            mode = record.kind(real)
        except OSError as exc:
            raise InputError(exc.strerror or str(exc), where=rel) from None
        if stat.S_ISDIR(mode):
            continue  # Terraform skips directories
        if not stat.S_ISREG(mode):
            raise InputError("is not a regular file (a FIFO, socket or device); tfecs does not read it", where=rel)
        found.append((real, name))
    return [f for f in found if not is_override(f[1])] + [f for f in found if is_override(f[1])]


def load_config(directory: str, root: str, conf: Confinement | None = None, warn=None) -> ModuleConfig:
    conf = conf or Confinement.for_scan(root)
    warn = warn or (lambda kind, message, where: None)
    cfg = ModuleConfig(directory)
    files = config_files(directory, root, conf, warn)
    texts: dict[str, str] = {}
    parsecache.warm((real for real, name in files if not name.endswith(".json")), texts)
    for real, name in files:
        rel = _rel(os.path.join(directory, name), root)
        cfg.files.append(rel)
        body = parse_file(real, rel, texts.get(real))
        if body.attributes:
            attr = next(iter(body.attributes.values()))
            raise InputError(
                f"an argument ({shown_token(attr.name)}) is not expected at the top level of a configuration file", where=f"{rel}:{attr.line}"
            )
        for block in body.blocks:
            block.file = rel
            if block.type not in TOP_LEVEL:
                raise InputError(
                    f"blocks of type {shown_token(block.type)} are not expected here (a misspelled block type?)", where=f"{rel}:{block.line}"
                )
            _add(cfg, block, rel, override=is_override(name))
    return cfg


def _rel(path: str, root: str) -> str:
    return os.path.relpath(path, root).replace(os.sep, "/")


def _labels(block: Block, n: int, rel: str) -> list[str]:
    if len(block.labels) != n:
        raise InputError(f"a {block.type} block needs {n} label(s)", where=f"{rel}:{block.line}")
    return block.labels


def _add(cfg: ModuleConfig, block: Block, rel: str, override: bool) -> None:
    kind = block.type
    if kind in ("resource", "data"):
        rtype, rname = _labels(block, 2, rel)
        key = f"{rtype}.{rname}" if kind == "resource" else f"data.{rtype}.{rname}"
        _put(cfg.resources, key, block, rel, override, f"{kind} {rtype}.{rname}")
    elif kind == "variable":
        (name,) = _labels(block, 1, rel)
        existing = cfg.variables.get(name)
        if override and existing is None:
            raise InputError(f"there is no variable {name!r} to override", where=f"{rel}:{block.line}")
        if override and existing is not None:
            existing.block = _merged(existing.block, block)
        elif existing is not None:
            raise InputError(f"variable {name!r} is declared twice", where=f"{rel}:{block.line}")
        else:
            cfg.variables[name] = Variable(name, block)
    elif kind == "locals":
        for attr in block.body.attributes.values():
            if attr.name in cfg.locals and not override:
                raise InputError(f"local value {attr.name!r} is defined twice", where=f"{rel}:{attr.line}")
            if override and attr.name not in cfg.locals:
                raise InputError(f"there is no local value {attr.name!r} to override", where=f"{rel}:{attr.line}")
            cfg.locals[attr.name] = (attr, rel)
    elif kind == "module":
        (name,) = _labels(block, 1, rel)
        existing = cfg.modules.get(name)
        if override and existing is None:
            raise InputError(f"there is no module call {name!r} to override", where=f"{rel}:{block.line}")
        if override and existing is not None:
            block = _merged(existing.block, block)
        elif existing is not None:
            raise InputError(f"module {name!r} is called twice", where=f"{rel}:{block.line}")
        source = block.body.attributes.get("source")
        if source is None or not isinstance(source.expr, Lit) or not isinstance(source.expr.value, str):
            raise InputError(f"module {name!r}: source must be a literal string", where=f"{rel}:{block.line}")
        cfg.modules[name] = ModuleCall(name, source.expr.value, block)
    elif kind == "output":
        (name,) = _labels(block, 1, rel)
        _put(cfg.outputs, name, block, rel, override, f"output {name}")
    # terraform, provider, moved, import, removed, check: nothing to evaluate


def _put(table: dict, key: str, block: Block, rel: str, override: bool, what: str) -> None:
    existing = table.get(key)
    if override and existing is None:
        raise InputError(f"there is no {what} to override", where=f"{rel}:{block.line}")
    if existing is not None:
        if not override:
            raise InputError(f"{what} is declared twice (also at {existing.file}:{existing.line})", where=f"{rel}:{block.line}")
        block = _merged(existing, block)
    table[key] = block


def _block_name(b: Block) -> str:
    return b.labels[0] if b.type == "dynamic" and b.labels else b.type


def _merged(base: Block, over: Block) -> Block:
    """Terraform's override merge: arguments replace; the nested blocks of a type (static
    or `dynamic`) in the override replace all the original's blocks of that type; a
    `lifecycle` block merges argument by argument."""
    # Findings point into the original block's file: what the override contributes is
    # located at the original block's line (a line of the override file would be wrong there).
    moved = {k: Attribute(a.name, a.expr, base.line) for k, a in over.body.attributes.items()}
    over = Block(over.type, over.labels, Body(moved, [Block(b.type, b.labels, b.body, base.line, b.file) for b in over.body.blocks]), over.line, over.file)
    attrs = {**base.body.attributes, **over.body.attributes}
    over_names = {_block_name(b) for b in over.body.blocks if b.type != "lifecycle"}
    blocks = [b for b in base.body.blocks if _block_name(b) not in over_names and b.type != "lifecycle"]
    base_life = [b for b in base.body.blocks if b.type == "lifecycle"]
    over_life = [b for b in over.body.blocks if b.type == "lifecycle"]
    if base_life or over_life:
        life = base_life[0] if base_life else over_life[0]
        for b in over_life if base_life else over_life[1:]:
            life = Block("lifecycle", [], Body({**life.body.attributes, **b.body.attributes}, life.body.blocks), life.line, life.file)
        blocks.append(life)
    blocks += [b for b in over.body.blocks if b.type != "lifecycle"]
    return Block(base.type, base.labels, Body(attrs, blocks), base.line, base.file)
