"""A module directory's configuration: its variables, locals, resources, data sources,
module calls and outputs, read from the `.tf` files Terraform would read (in lexical
order, `override.tf` / `*_override.tf` merged last)."""

from __future__ import annotations

import os
from collections import OrderedDict
from dataclasses import dataclass, field

from ...errors import InputError
from . import parsecache
from .evaluate import note
from .nodes import Attribute, Block, Body, Lit
from .syntax import parse_body

# Parsed files by (path, name, mtime, size): a module called many times is parsed once, and so
# is a directory scanned twice in one process (the test suite, hybrid after HCL).
_PARSED: "OrderedDict[tuple, Body]" = OrderedDict()
_PARSED_MAX = 4096


def parse_file(path: str, rel: str) -> Body:
    try:
        st = os.stat(path)
    except OSError as exc:
        raise InputError(exc.strerror or str(exc), where=rel) from None
    key = (path, rel, st.st_mtime_ns, st.st_size)
    body = _PARSED.get(key)
    if body is not None:
        _PARSED.move_to_end(key)
        return body
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start})", where=rel) from None
    except OSError as exc:
        raise InputError(exc.strerror or str(exc), where=rel) from None
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


def is_override(filename: str) -> bool:
    stem = filename[: -len(".tf")]
    return stem == "override" or stem.endswith("_override")


def load_config(directory: str, root: str) -> ModuleConfig:
    cfg = ModuleConfig(directory)
    try:
        names = sorted(os.listdir(directory))
    except OSError as exc:
        raise InputError(exc.strerror or str(exc), where=_rel(directory, root)) from None
    tf = [n for n in names if n.endswith(".tf") and os.path.isfile(os.path.join(directory, n))]
    if any(n.endswith(".tf.json") for n in names):
        note(_rel(directory, root), "*.tf.json files (JSON syntax) are not read")
    parsecache.warm(os.path.join(directory, n) for n in tf)
    for name in [n for n in tf if not is_override(n)] + [n for n in tf if is_override(n)]:
        rel = _rel(os.path.join(directory, name), root)
        cfg.files.append(rel)
        body = parse_file(os.path.join(directory, name), rel)
        for block in body.blocks:
            block.file = rel
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
            cfg.locals[attr.name] = (attr, rel)
    elif kind == "module":
        (name,) = _labels(block, 1, rel)
        existing = cfg.modules.get(name)
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
    if existing is not None:
        if not override:
            raise InputError(f"{what} is declared twice (also at {existing.file}:{existing.line})", where=f"{rel}:{block.line}")
        block = _merged(existing, block)
    table[key] = block


def _merged(base: Block, over: Block) -> Block:
    """Terraform's override merge: attributes replace, nested blocks of a type replace all
    of that type; the location stays the original block's."""
    attrs = {**base.body.attributes, **over.body.attributes}
    over_types = {b.type for b in over.body.blocks}
    blocks = [b for b in base.body.blocks if b.type not in over_types] + list(over.body.blocks)
    return Block(base.type, base.labels, Body(attrs, blocks), base.line, base.file)
