"""The typed model's foundation: resources that remember what was known, unknown or sensitive.

Every typed resource wraps its RawResource (`tf`) and reads its fields from `after`.
Attributes Terraform shows as "known after apply" are None in the typed fields; ask
`is_unknown(...)` to tell "unset" from "not known yet". Paths are tuples of keys and
list indices, e.g. `("container_definitions", 1, "user")`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import orjson
from pydantic import BaseModel, ConfigDict, model_validator

from ..inputs.raw import RawResource, Tree

Path = tuple[str | int, ...]


def subtree(tree: Tree, key: str | int) -> Tree:
    """Step into an unknown/sensitive tree; True (whole value) stays True."""
    if tree is True:
        return True
    if isinstance(tree, dict):
        return tree.get(key, False) if isinstance(key, str) else False
    if isinstance(tree, list) and isinstance(key, int):
        return tree[key] if 0 <= key < len(tree) else False
    return False


def tree_at(tree: Tree, path: Path) -> Tree:
    for key in path:
        tree = subtree(tree, key)
        if tree is True or tree is False:
            return tree
    return tree


def tree_any(tree: Tree) -> bool:
    """True when any value in the tree is marked."""
    if tree is True:
        return True
    if isinstance(tree, dict):
        return any(tree_any(v) for v in tree.values())
    if isinstance(tree, list):
        return any(tree_any(v) for v in tree)
    return False


def format_path(path: Path) -> str:
    """`("container_definitions", 1, "user")` -> `container_definitions[1].user`."""
    out = []
    for key in path:
        if isinstance(key, int):
            out.append(f"[{key}]")
        else:
            out.append(f".{key}" if out else key)
    return "".join(out)


class Model(BaseModel):
    """Typed values: frozen, lax about types (`"true"` reads as True), extra keys ignored."""

    # defer_build: a model's validator is built when first used, not at import, so a
    # small plan only pays for the types it holds (start-up 0.33 s -> 0.27 s).
    model_config = ConfigDict(frozen=True, extra="ignore", arbitrary_types_allowed=True, populate_by_name=True, defer_build=True)

    @model_validator(mode="before")
    @classmethod
    def _null_is_unset(cls, data: Any) -> Any:
        # Terraform writes null for unset and unknown values; a field's default says
        # "unset", and is_unknown() tells the two apart.
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if v is not None}
        return data


# `tf` is a RawResource, a dataclass: typed as such, pydantic would build a dataclass
# schema for it (and its Location) in every one of the 37 models, a third of the time
# their validators take to build, in every run that meets them. build() alone sets it.
_Raw = RawResource if TYPE_CHECKING else Any


class Resource(Model):
    """A Terraform resource (or data source) of a type the rules look at."""

    TYPES: ClassVar[tuple[str, ...]] = ()
    tf: _Raw

    @classmethod
    def build(cls, raw: RawResource, values: dict | None = None) -> "Resource":
        values = raw.after if values is None else values
        return cls.model_validate({**(values or {}), "tf": raw})

    # Identity and change ------------------------------------------------------------
    @property
    def address(self) -> str:
        return self.tf.address

    @property
    def type(self) -> str:
        return self.tf.type

    @property
    def actions(self) -> tuple[str, ...]:
        return self.tf.actions

    # Knowledge about values -------------------------------------------------------------
    def is_unknown(self, *path: str | int) -> bool:
        """The value at path (or a value that contains it) is known only after apply.

        A top-level attribute the configuration does not set is the provider's default,
        not an unknown, even though the plan shows it as "known after apply"."""
        if tree_at(self.tf.after_unknown, path) is not True:
            return False
        return not self._is_default(path)

    def _is_default(self, path: tuple) -> bool:
        # Plan JSON leaves `dynamic` blocks out of the configuration, so a dynamic block
        # whose for_each is unknown until apply looks like an unset computed block here;
        # with --source the HCL reader records dynamic blocks as configured.
        conf = self.tf.configured
        return bool(path) and conf is not None and isinstance(path[0], str) and path[0] not in conf

    def has_unknown(self, *path: str | int) -> bool:
        """The value at path is unknown or has an unknown part."""
        return tree_any(tree_at(self.tf.after_unknown, path)) and not self._is_default(path)

    def is_sensitive(self, *path: str | int) -> bool:
        return tree_at(self.tf.after_sensitive, path) is True

    def value_pattern(self, *path: str | int) -> Any:
        """The tfecs.model.patterns.Pattern of an unknown value the configuration gives as
        a partly known string (known pieces, unknown holes), or None."""
        return self.tf.patterns.get(tuple(path)) if self.is_unknown(*path) else None

    def get(self, *path: str | int, default: Any = None) -> Any:
        """The raw known value at path (lists of nested blocks are indexed by int)."""
        value: Any = self.tf.after
        for key in path:
            if isinstance(value, dict) and isinstance(key, str):
                value = value.get(key)
            elif isinstance(value, list) and isinstance(key, int) and 0 <= key < len(value):
                value = value[key]
            else:
                return default
            if value is None:
                return default
        return value

    def refs(self, attr: str) -> tuple[str, ...]:
        return self.tf.references.get(attr, ())

    def line_of(self, attr: str | None = None) -> int | None:
        loc = self.tf.location
        return loc.line_of(attr) if loc else None


def block(values: Any) -> dict:
    """The first nested block of a plan value: Terraform shows blocks as lists of objects
    (tuples once in a typed model field)."""
    if isinstance(values, (list, tuple)):
        return values[0] if values and isinstance(values[0], dict) else {}
    return values if isinstance(values, dict) else {}


class JsonDecodeError(ValueError):
    """A JSON-string attribute that is not valid JSON."""


def decode_json_attr(value: Any, what: str) -> Any:
    """Decode a JSON-string attribute; a reader may already have given it decoded."""
    if isinstance(value, (list, dict)):
        return value
    if value is None:
        return None
    if not isinstance(value, str):
        # A number or boolean is no document: read as "nothing there" it would pass.
        kind = "a boolean" if isinstance(value, bool) else "a number" if isinstance(value, (int, float)) else type(value).__name__
        raise JsonDecodeError(f"{what} is {kind}, not a JSON string")
    try:
        return orjson.loads(value)
    except orjson.JSONDecodeError as exc:
        raise JsonDecodeError(f"{what} is not valid JSON ({str(exc).split(':', 1)[0]})") from None
