"""The rule reference, rendered from the rules themselves (one source of docs):
`docs/rules/<id>.md` for each rule (its class docstring under a header of its metadata)
and `docs/rules/README.md`, the index table. A test checks the files are current;
regenerate them with `python -m tfecs.docs` after changing a rule's docs."""

from __future__ import annotations

import os
import sys

from .rule import DOCS_DIR, PRACTICES, Rule

INDEX = "README.md"
GENERATED = "<!-- generated from the rule's docstring by `python -m tfecs.docs`: edit the rule, not this file -->"


def _controls(rule: Rule) -> str:
    return ", ".join(rule.meta.controls) or "—"


def rule_page(rule: Rule) -> str:
    m = rule.meta
    out = [f"# {m.id}", "", GENERATED, ""]
    out.append(f"*{m.title}*")
    out.append("")
    out.append("| severity | practice | Security Hub controls | resources |")
    out.append("|---|---|---|---|")
    out.append(f"| {m.severity.value} | {m.practice}: {m.practice_name} | {_controls(rule)} | {', '.join(f'`{t}`' for t in m.resource_types)} |")
    if m.aliases:
        out += ["", f"Also known as: {', '.join(f'`{a}`' for a in m.aliases)}."]
    out += ["", rule.docs(), "", f"[All rules](./{INDEX})", ""]
    return "\n".join(out)


def index_page(rules: list[Rule]) -> str:
    out = ["# Rules", "", GENERATED, ""]
    out.append(f"{len(rules)} rules, grouped by the practice of AWS's ECS security guidance they check. "
               "`tfecs explain ID` prints one; `tfecs rules` lists them.")
    out += ["", "| id | severity | controls | title |", "|---|---|---|---|"]
    out += [f"| [`{r.meta.id}`](./{r.meta.id}.md) | {r.meta.severity.value} | {_controls(r)} | {r.meta.title} |" for r in rules]
    for practice, name in PRACTICES.items():
        group = [r for r in rules if r.meta.practice == practice]
        if group:
            out += ["", f"## Practice {practice}: {name}", ""]
            out += [f"- [`{r.meta.id}`](./{r.meta.id}.md): {r.meta.title}" for r in group]
    return "\n".join(out) + "\n"


def pages(rules: list[Rule]) -> dict[str, str]:
    """File name (inside docs/rules/) -> content."""
    out = {f"{r.meta.id}.md": rule_page(r) for r in rules}
    out[INDEX] = index_page(rules)
    return out


def write(rules: list[Rule], directory: str) -> list[str]:
    """Write the pages, remove pages of rules that no longer exist; the files written."""
    os.makedirs(directory, exist_ok=True)
    wanted = pages(rules)
    for name in os.listdir(directory):
        if name.endswith(".md") and name not in wanted:
            os.remove(os.path.join(directory, name))
    for name, text in wanted.items():
        with open(os.path.join(directory, name), "w", encoding="utf-8") as fh:
            fh.write(text)
    return sorted(wanted)


def main() -> None:  # pragma: no cover - a maintainer's command
    from tfecs_rules import ALL_RULES

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    written = write([r() for r in ALL_RULES], os.path.join(root, DOCS_DIR))
    print(f"wrote {len(written)} files to {DOCS_DIR}/", file=sys.stderr)


if __name__ == "__main__":  # pragma: no cover
    main()
