"""The pre-commit hook: `python -m tfecs.precommit [tfecs scan options] FILE...`.

pre-commit passes the staged `.tf` / `.tofu` files after the hook's `args`; Terraform works
per directory, so this scans, as HCL, each directory holding one of them, all in one
`tfecs scan` run (one report, one exit code). Skipped: files under `.terraform/` (downloaded
modules), directories that no longer exist (a deleted module), and any path that leads
outside the repository (the current directory, where pre-commit runs hooks).
"""

from __future__ import annotations

import os
import sys

EXTENSIONS = (".tf", ".tofu")


def split_args(argv: list[str]) -> tuple[list[str], list[str]]:
    """(scan options, files): the files are the trailing arguments naming .tf/.tofu files."""
    end = len(argv)
    while end > 0 and argv[end - 1].endswith(EXTENSIONS) and not argv[end - 1].startswith("-"):
        end -= 1
    return argv[:end], argv[end:]


def directories(files: list[str], root: str | None = None) -> list[str]:
    """The unique directories of `files`, relative to `root`, sorted; see the module doc."""
    root = os.path.realpath(root or os.getcwd())
    found: set[str] = set()
    for name in files:
        parent = os.path.dirname(os.path.normpath(name)) or "."
        if ".terraform" in parent.replace("\\", "/").split("/"):
            continue
        real = os.path.realpath(os.path.join(root, parent))
        if real != root and not real.startswith(root + os.sep):
            continue  # outside the repository (or a symlink out of it)
        if not os.path.isdir(real):
            continue  # the file's directory was deleted
        found.add(os.path.relpath(real, root).replace(os.sep, "/"))
    return sorted(found)


def main(argv: list[str] | None = None) -> None:
    options, files = split_args(list(sys.argv[1:] if argv is None else argv))
    dirs = directories(files)
    if not dirs:
        sys.exit(0)  # nothing Terraform changed in a place tfecs may read
    from .cli import main as cli_main

    sys.argv = ["tfecs", "scan", *options, *dirs]
    cli_main()


if __name__ == "__main__":
    main()
