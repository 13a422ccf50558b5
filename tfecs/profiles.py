"""Profiles: opt-in groups of rules (`account`: the whole-configuration monitoring rules).
A rule whose meta names a profile runs only when that profile is asked for
(`--profile account`, or `profiles = [...]` in the configuration file), or when it is
selected by id with `--rule` (naming a profile rule implies its profile)."""

from __future__ import annotations

from typing import Iterable, Sequence, TypeVar

T = TypeVar("T")


def known_profiles(classes: Iterable) -> set[str]:
    return {c.meta.profile for c in classes if c.meta.profile}


def check_profiles(classes: Sequence, profiles: Iterable[str]) -> None:
    """Raise ValueError for a profile no rule belongs to (a typo must not silently run nothing)."""
    known = known_profiles(classes)
    for p in profiles:
        if p not in known:
            raise ValueError(f"no profile {p!r} (known: {', '.join(sorted(known)) or 'none'})")


def in_profiles(classes: Sequence[T], profiles: Iterable[str] = (), selected: Iterable[T] = ()) -> list[T]:
    """The rules that run: those of no profile, those of an asked-for profile, and
    profile rules selected explicitly (by `--rule`)."""
    wanted = set(profiles)
    chosen = {id(c) for c in selected}
    return [c for c in classes if not c.meta.profile or c.meta.profile in wanted or id(c) in chosen]  # type: ignore[attr-defined]
