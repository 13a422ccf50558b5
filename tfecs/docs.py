"""The README's rule reference, rendered from the rules themselves (one source of docs)."""

from __future__ import annotations

from .rule import PRACTICES, Rule

START, END = "<!-- rules:start -->", "<!-- rules:end -->"


def rules_markdown(rules: list[Rule]) -> str:
    out = [START, ""]
    out.append("| id | severity | controls | title |")
    out.append("|---|---|---|---|")
    for r in rules:
        m = r.meta
        out.append(f"| [`{m.id}`](#{m.id}) | {m.severity.value} | {', '.join(m.controls) or '—'} | {m.title} |")
    for practice, name in PRACTICES.items():
        group = [r for r in rules if r.meta.practice == practice]
        if not group:
            continue
        out += ["", f"### Practice {practice}: {name}"]
        for r in group:
            m = r.meta
            out += ["", f"#### {m.id}", ""]
            out.append(f"*{m.title}* · severity **{m.severity.value}** · controls {', '.join(m.controls) or '—'} · "
                       f"resources {', '.join(f'`{t}`' for t in m.resource_types)}")
            out += ["", _demote(r.docs())]
    out += ["", END, ""]
    return "\n".join(out)


def _demote(docs: str) -> str:
    """Rule docs use `##` headings; inside the README they sit under `####`."""
    return "\n".join("#####" + line[2:] if line.startswith("## ") else line for line in docs.splitlines())
