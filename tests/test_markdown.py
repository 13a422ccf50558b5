"""The markdown report as a pull-request page reads it: parsed by a CommonMark + GFM-table
parser (markdown-it-py), checked cell by cell, on real plans, hostile names and a
10,000-resource plan."""

from __future__ import annotations

import json
import re
import sys

import pytest
from conftest import ROOT, TESTDATA
from formatfixtures import HOSTILE_CONTAINER, HOSTILE_KEY, SECRET, hostile_plan

from tfecs.reporters.markdown import marker, render_doc
from tfecs.textsafe import escape_control

markdown_it = pytest.importorskip("markdown_it")

REAL = TESTDATA / "plans" / "real"
INSECURE_SOURCE = TESTDATA / "terraform" / "ecs_insecure"


def to_html(text: str) -> str:
    return markdown_it.MarkdownIt("commonmark", {"html": True}).enable("table").render(text)


def table_rows(text: str) -> list[list[str]]:
    """The body rows of the page's table, as the text of each cell."""
    md = markdown_it.MarkdownIt("commonmark", {"html": True}).enable("table")
    tokens = md.parse(text)
    rows, row, in_body = [], None, False
    for i, t in enumerate(tokens):
        if t.type == "tbody_open":
            in_body = True
        elif t.type == "tbody_close":
            in_body = False
        elif in_body and t.type == "tr_open":
            row = []
        elif in_body and t.type == "tr_close":
            rows.append(row)
        elif in_body and t.type == "inline" and tokens[i - 1].type == "td_open":
            row.append(_text(t))
    return rows


def _text(inline) -> str:
    """What a reader sees in a cell: text, code and entities decoded, HTML tags dropped."""
    import html

    out = []
    for c in inline.children or ():
        if c.type in ("text", "code_inline"):
            out.append(c.content)
        elif c.type == "html_inline" and c.content == "<br>":
            out.append("\n")
        elif c.type == "softbreak":
            out.append("\n")
    return html.unescape("".join(out))


DOCS = "https://github.com/tfecs/tfecs/blob/main"


def scan_md(run_cli, *args: str) -> tuple[int, str]:
    # A PR comment links rules to their pages on a host (a relative path would resolve
    # against the pull request's page).
    code, out, err = run_cli("scan", *args, "--format", "markdown", "--docs-base-url", DOCS)
    assert err == ""
    return code, out


def test_insecure_plan_with_source_is_a_table_of_blocking_findings_with_file_line(run_cli, tmp_path):
    code, page = scan_md(run_cli, str(REAL / "ecs_insecure.json"), "--source", str(INSECURE_SOURCE))
    assert code == 1
    lines = page.splitlines()
    assert lines[0] == (
        "### :x: tfecs: blocked — 58 blocking findings (62 introduced, 0 existing, 0 fixed, 0 unknown until apply)"
    )
    rows = table_rows(page)
    assert len(rows) == 58 and all(len(r) == 4 for r in rows)
    ranks = {"critical": 4, "high": 3, "medium": 2, "low": 1, "info": 0}
    sevs = [ranks[r[0]] for r in rows]
    assert sevs == sorted(sevs, reverse=True)  # most severe first
    priv = [r for r in rows if r[1] == "ecs-privileged-container"]
    assert priv == [
        [
            "high",
            "ecs-privileged-container",
            "aws_ecs_task_definition.bad_host container_definitions[0].privileged (create)",
            "container 'bad-privileged' runs privileged — testdata/terraform/ecs_insecure/main.tf:210\n"
            "Fix: Remove `privileged` from the container definition (or set it to false).",
        ]
    ]
    # The rule links to its documentation; the non-blocking info findings are collapsed.
    assert f'<a href="{DOCS}/docs/rules/ecs-privileged-container.md">' in page
    assert "<details><summary>Introduced, not blocking (4)</summary>" in page
    info = [line for line in page.splitlines() if "ecs-capabilities-not-dropped</a>" in line]
    assert len(info) == 3 and all(line.startswith("- **info** ") for line in info)  # one a container


def test_saved_json_renders_the_same_page_later(run_cli, tmp_path):
    saved = tmp_path / "r.json"
    run_cli("scan", str(REAL / "ecs_insecure.json"), "--format", "json", "-o", str(saved), "--docs-base-url", DOCS)
    _, page = scan_md(run_cli, str(REAL / "ecs_insecure.json"))
    assert render_doc(json.loads(saved.read_text())) == page
    tagged = render_doc(json.loads(saved.read_text()), tag="envs/prod")
    assert tagged == "<!-- tfecs:envs/prod -->\n" + page


def test_clean_plan_says_pass(run_cli):
    code, page = scan_md(run_cli, str(REAL / "ecs_hardened.json"))
    assert code == 0
    assert page.startswith("### :white_check_mark: tfecs: pass — nothing blocking (")
    assert "<table" not in to_html(page)


def test_marker_cannot_close_the_comment():
    assert marker("prod") == "<!-- tfecs:prod -->"
    assert marker("a --> <script>\n") == "<!-- tfecs:a_--___script__n -->"
    assert "-->" not in marker("-->")[:-3]


def test_rejects_what_is_not_a_report():
    with pytest.raises(ValueError, match="schema_version 1"):
        render_doc({"findings": []})


def test_hostile_names_cannot_break_or_inject_into_the_page(run_cli, tmp_path):
    plan = hostile_plan(tmp_path)
    code, page = scan_md(run_cli, str(plan))
    assert code == 1
    html = to_html(page)
    # No tag but the ones tfecs writes, no live link, mention or issue reference.
    tags = set(re.findall(r"<([a-zA-Z][a-zA-Z0-9]*)", html))
    assert tags <= {"h3", "p", "code", "h4", "table", "thead", "tr", "th", "tbody", "td", "a", "br", "details",
                    "summary", "ul", "li", "strong", "sub"}
    assert re.findall(r'<a href="([^"]*)"', html) == [
        f"{DOCS}/docs/rules/{r}.md"
        for r in ("ecs-container-logging-missing", "ecs-privileged-container", "ecs-secret-in-environment",
                  "ecs-writable-root-filesystem", "ecs-container-root-user", "ecs-image-mutable-tag",
                  "ecs-image-untrusted-registry", "ecs-task-role-missing", "ecs-capabilities-not-dropped")
    ]
    assert "<strong>b</strong>" not in html and "@team" not in page and "#1" not in page
    # No control character reaches the page; every row keeps its four cells.
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f\u202e]", page)
    rows = table_rows(page)
    assert len(rows) == 8 and all(len(r) == 4 for r in rows)
    # The reader sees the names, made visible: what was there, not what it would do.
    def seen(text: str) -> str:
        """What the page shows: controls made visible, a zero-width space where a mention,
        an issue reference or a bare link would otherwise start."""
        text = escape_control(text)
        for s in ("@", "#", "www", ":"):
            text = text.replace(s + "//" if s == ":" else s, s + "\u200b" + ("//" if s == ":" else ""))
        return text

    address = rows[0][2].split(" container_definitions")[0]
    assert address == "aws_ecs_task_definition.web[" + seen(json.dumps(HOSTILE_KEY)).replace("\\\\", "\\") + "]"
    assert seen(HOSTILE_CONTAINER) in rows[1][3]
    assert "http://" not in page and "www." not in page
    assert SECRET not in page


def test_a_small_limit_keeps_the_most_severe_and_counts_the_rest(run_cli, tmp_path):
    saved = tmp_path / "r.json"
    run_cli("scan", str(REAL / "ecs_insecure.json"), "--format", "json", "-o", str(saved), "--docs-base-url", DOCS)
    page = render_doc(json.loads(saved.read_text()), max_chars=9000)
    assert len(page) <= 9000
    rows = table_rows(page)
    note = re.search(r"… and (\d+) more blocking findings \(([^)]*)\) not shown", page)
    assert note, page
    assert len(rows) + int(note.group(1)) == 58
    assert all(r[0] == "high" for r in rows)  # the 26 high ones come first
    left = dict((k, int(n)) for n, k in (x.split(" ") for x in note.group(2).split(", ")))
    assert left == {"high": 26 - len(rows), "medium": 24, "low": 8}
    assert "Introduced, not blocking (4)**: 4 introduced findings not shown, to keep this comment under 9,000 characters." in page
    assert page.rstrip().endswith("</sub>")


@pytest.fixture(scope="module")
def big_report(tmp_path_factory):
    """A 10,000-resource plan from the benchmark generator, scanned once."""
    sys.path.insert(0, str(ROOT / "bench"))
    from genplan import write

    from tfecs.cli import load_rules
    from tfecs.redact import redact_strings
    from tfecs.reporters.json import report_dict
    from tfecs.scan import scan

    path = write(10_000, str(tmp_path_factory.mktemp("big") / "plan-10k.json"))
    report = scan([path], load_rules())
    return report, redact_strings(report_dict(report), report.redact)


def test_ten_thousand_resources_fit_in_one_comment(big_report):
    report, doc = big_report
    s = doc["summary"]
    assert s["resources"] == 10_000 and s["blocking"] > 0 and s["existing"] > 1000
    page = render_doc(doc, tag="big")
    assert len(page) <= 65536
    assert page.startswith("<!-- tfecs:big -->\n### :x: tfecs: blocked")
    # Every blocking finding is in the table (they fit), the others are counted.
    assert len(table_rows(page)) == s["blocking"]
    n_existing = sum(f["delta"] != "introduced" and f["status"] == "fail" and not f["blocking"] for f in doc["findings"])
    existing = re.search(r"<summary>Existing before this change \(not blocking\) \((\d+)\)</summary>", page)
    assert int(existing.group(1)) == n_existing
    shown = len(re.findall(r"^- \*\*\w+\*\* \S", page[existing.end():].split("</details>")[0], re.M))
    left = re.search(r"… and (\d+) more existing findings \(([^)]*)\)", page)
    assert shown > 0 and shown + int(left.group(1)) == n_existing
    assert "… and" in page and page.rstrip().endswith("</sub>")


def test_errors_lead_and_warnings_are_listed(run_cli, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    code, out, err = run_cli("scan", str(REAL / "ecs_insecure.json"), str(bad), "--format", "markdown")
    assert code == 2 and err.startswith("tfecs: error: ")
    assert out.startswith("### :warning: tfecs: error — 1 error, the scan is incomplete (62 introduced, ")
    errors = out[out.index("<details open><summary>Errors</summary>"):].split("</details>")[0]
    assert f"<code>{bad}</code>: " in errors
    doc = json.loads(run_cli("scan", str(REAL / "ecs_hardened.json"), "--format", "json")[1])
    doc["warnings"] = [{"kind": "source-unmatched", "where": "main.tf:3", "message": "no block for <b>x</b>"}]
    page = render_doc(doc)
    assert "<details><summary>Warnings (1)</summary>\n\n- <code>main.tf:3</code>: no block for &lt;b&gt;x&lt;/b&gt;\n\n</details>" in page


def test_relative_docs_links_are_not_linked_in_a_comment(run_cli):
    code, out, err = run_cli("scan", str(REAL / "ecs_insecure.json"), "--format", "markdown")
    assert code == 1 and "ecs-privileged-container" in out
    assert "<a href" not in out
