"""A Dockerfile's build stages, as the Dockerfile reader found them (tfecs/inputs/dockerfile.py)."""

from __future__ import annotations

from typing import ClassVar

from .base import Model, Resource
from .userspec import names_root


class Stage(Model):
    index: int = 0
    name: str | None = None
    from_line: int = 1
    base_stage: int | None = None  # built FROM an earlier stage of the same file
    user: str | None = None  # the effective user (own USER, else the parent stage's)
    user_line: int | None = None
    user_unknown: bool = False  # needs a build argument without a default
    user_set: bool = False  # some USER applies (own or inherited)

    @property
    def runs_as_root(self) -> bool | None:
        """USER root, 0 or 0:<group> (None: unknown; no USER counts as root)."""
        if self.user_unknown:
            return None
        if not self.user_set or not self.user:
            return True
        return names_root(self.user, ignore_case=True)


class Dockerfile(Resource):
    TYPES: ClassVar[tuple[str, ...]] = ("dockerfile",)
    stages: tuple[Stage, ...] = ()

    @property
    def final(self) -> Stage | None:
        return self.stages[-1] if self.stages else None
