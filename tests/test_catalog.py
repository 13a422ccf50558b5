"""The contributor checklist, as tests: registered, documented, fixtures, ids from the catalogue."""

from __future__ import annotations

import re

import pytest
from conftest import ROOT, TESTDATA

from tfecs.rule import DOC_HEADINGS, RULE_ID, validate_rules
from tfecs_rules import ALL_RULES

CATALOG = ROOT.parent / "shared" / "rules-catalog.md"


def test_every_rule_module_is_registered():
    modules = {p.stem for p in (ROOT / "rules").glob("*.py") if not p.stem.startswith("_")}
    registered = {r.__module__.rsplit(".", 1)[-1] for r in ALL_RULES}
    assert modules == registered


def test_registry_is_sorted_and_valid():
    ids = [r.meta.id for r in ALL_RULES]
    assert ids == sorted(ids)
    validate_rules(list(ALL_RULES))


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.meta.id)
def test_rule_conventions(rule):
    meta = rule.meta
    assert RULE_ID.match(meta.id)
    assert rule.__module__.rsplit(".", 1)[-1] == meta.id.replace("-", "_")
    docs = rule.docs()
    for heading in DOC_HEADINGS:
        assert f"## {heading}" in docs
    assert re.search(r"https://\S+", docs.split("## References", 1)[1])
    assert meta.remediation and meta.title and 1 <= meta.practice <= 6
    folder = TESTDATA / "rules" / meta.id
    assert (folder / "resources.json").is_file() and (folder / "expected.json").is_file()


def _catalog() -> dict[str, tuple[str, str]]:
    rows = {}
    for line in CATALOG.read_text().splitlines():
        m = re.match(r"\|\s*([a-z0-9-]+)\s*\|\s*([^|]*)\|\s*(info|low|medium|high|critical)\s*\|", line)
        if m:
            rows[m.group(1)] = (m.group(2).strip(), m.group(3))
    return rows


@pytest.mark.skipif(not CATALOG.exists(), reason="the shared rule catalogue is not beside this checkout")
@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.meta.id)
def test_rule_matches_catalogue(rule):
    catalog = _catalog()
    assert rule.meta.id in catalog, "rule ids are a public contract: use the catalogue's"
    controls, severity = catalog[rule.meta.id]
    expected = () if controls in ("—", "-", "") else tuple(c.strip() for c in controls.split(","))
    assert rule.meta.controls == expected
    assert rule.meta.severity.value == severity


def test_rule_index_documents_every_rule():
    index = (ROOT / "docs" / "rules" / "README.md").read_text()
    for rule in ALL_RULES:
        assert f"[`{rule.meta.id}`](./{rule.meta.id}.md)" in index, f"docs/rules/README.md lacks {rule.meta.id}"
    assert "docs/rules/README.md" in (ROOT / "README.md").read_text()


def test_pyproject_lists_every_package():
    text = (ROOT / "pyproject.toml").read_text()
    listed = set(re.search(r"packages = \[(.*?)\]", text).group(1).replace('"', "").replace(" ", "").split(","))
    found = {
        ".".join(p.relative_to(ROOT).parent.parts) for p in (ROOT / "tfecs").rglob("__init__.py")
    } | {"tfecs_rules"}
    assert found == listed


def test_rule_docs_are_current():
    """docs/rules/ is generated from the rules' docstrings: regenerate with
    `python -m tfecs.docs` when a rule's docs change. No page of a removed rule stays."""
    from tfecs.docs import pages

    wanted = pages([r() for r in ALL_RULES])
    folder = ROOT / "docs" / "rules"
    assert sorted(p.name for p in folder.glob("*.md")) == sorted(wanted)
    for name, text in wanted.items():
        assert (folder / name).read_text() == text, f"docs/rules/{name} is stale: run python -m tfecs.docs"


def test_every_docs_link_names_a_file_of_the_checkout(monkeypatch):
    """A finding's `docs` is `docs/rules/<id>.md` under docs_base_url (default: the
    repository path, so it resolves in a checkout and on any host serving it)."""
    from tfecs.rule import set_docs_base_url

    monkeypatch.delenv("TFECS_DOCS_BASE_URL", raising=False)
    for rule in ALL_RULES:
        assert (ROOT / rule.meta.docs_url).is_file(), rule.meta.docs_url
    set_docs_base_url("https://git.example.com/sec/tfecs/-/blob/v1/")
    try:
        assert ALL_RULES[0].meta.docs_url == f"https://git.example.com/sec/tfecs/-/blob/v1/docs/rules/{ALL_RULES[0].meta.id}.md"
    finally:
        set_docs_base_url(None)
    monkeypatch.setenv("TFECS_DOCS_BASE_URL", "https://h.example/t")
    assert ALL_RULES[0].meta.docs_url == f"https://h.example/t/docs/rules/{ALL_RULES[0].meta.id}.md"


def _section(number: int) -> str:
    text = CATALOG.read_text()
    start = re.search(rf"^## {number} ", text, re.M)
    assert start, f"no section {number} in the catalogue"
    end = re.search(r"^## ", text[start.end() :], re.M)
    return text[start.start() : start.end() + end.start()] if end else text[start.start() :]


@pytest.mark.skipif(not CATALOG.exists(), reason="the shared rule catalogue is not beside this checkout")
def test_catalogue_v2_rules_are_implemented_with_their_profile():
    """Section 7: five absence rules of the opt-in `account` profile, judged on the whole
    configuration, and dockerfile-user-missing (no profile)."""
    rows = [m.group(1) for m in re.finditer(r"^\|\s*([a-z0-9]+(?:-[a-z0-9]+)+)\s*\|", _section(7), re.M)]
    assert len(rows) == 6
    by_id = {r.meta.id: r for r in ALL_RULES}
    assert set(rows) <= set(by_id)
    for rule_id in rows:
        meta = by_id[rule_id].meta
        if rule_id == "dockerfile-user-missing":
            assert (meta.profile, meta.scope, meta.resource_types) == (None, "resource", ("dockerfile",))
        else:
            assert (meta.profile, meta.scope) == ("account", "configuration")
    assert {r.meta.id for r in ALL_RULES if r.meta.profile} == set(rows) - {"dockerfile-user-missing"}
