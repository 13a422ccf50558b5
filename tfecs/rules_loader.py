"""Custom rules load the way built-in ones do: modules that define Rule subclasses."""

from __future__ import annotations

import dataclasses
import importlib.util
import os

from .errors import TfecsError
from .paths import repo_relative
from .rule import Rule, RuleMeta


def load_rule_dir(path: str) -> list[type[Rule]]:
    found: list[type[Rule]] = []
    for name in sorted(os.listdir(path)):
        if not name.endswith(".py") or name.startswith("_"):
            continue
        file = os.path.join(path, name)
        spec = importlib.util.spec_from_file_location(f"tfecs_custom_rules.{name[:-3]}", file)
        if spec is None or spec.loader is None:
            continue
        module = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(module)
        except Exception as exc:  # noqa: BLE001 - a user's file: say which one failed
            raise TfecsError(f"cannot load custom rules: {type(exc).__name__}: {exc}", where=file) from None
        declared = getattr(module, "ALL_RULES", None)
        if declared is None:
            declared = [
                obj
                for obj in vars(module).values()
                if isinstance(obj, type) and issubclass(obj, Rule) and obj is not Rule and obj.__module__ == module.__name__
            ]
        for cls in declared:
            meta = getattr(cls, "meta", None)
            if isinstance(meta, RuleMeta) and meta.docs is None:
                # Its docs are its docstring, in this file: link there (an existing file).
                cls.meta = dataclasses.replace(meta, docs=repo_relative(name, path))
        found.extend(declared)
    return found
