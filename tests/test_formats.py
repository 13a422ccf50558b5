"""The CI formats, each read the way its consumer reads it: SARIF against the 2.1.0 schema,
JUnit through a JUnit parser, GitHub workflow commands through GitHub's unescaping,
GitLab Code Quality's field set, Atlantis' text rules; on the real plans, in hybrid mode
(plan + --source: .tf file:line) and with hostile names."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import ROOT, TESTDATA
from formatfixtures import HOSTILE_CONTAINER, HOSTILE_KEY, SECRET, hostile_plan

from tfecs.reporters import FORMATS
from tfecs.reporters import sarif as sarif_mod
from tfecs.textsafe import escape_control

REAL = TESTDATA / "plans" / "real"
INSECURE = str(REAL / "ecs_insecure.json")
HYBRID = (INSECURE, "--source", str(TESTDATA / "terraform" / "ecs_insecure"))
SCHEMA = Path(__file__).resolve().parents[2] / "shared" / "schemas" / "sarif-schema-2.1.0.json"
RANK = {"critical": 4, "high": 3, "medium": 2, "low": 1, "info": 0}


def run(run_cli, fmt, *args):
    code, out, err = run_cli("scan", *args, "--format", fmt)
    assert err == "", err
    return code, out


# --- SARIF ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sarif_validator():
    if not SCHEMA.exists():
        pytest.skip("the SARIF 2.1.0 schema is not in ../shared/schemas")
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA.read_text())
    return jsonschema.Draft4Validator(schema)


def sarif(run_cli, validator, *args):
    code, out = run(run_cli, "sarif", *args)
    log = json.loads(out)
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
    assert errors == [], [(list(e.path), e.message) for e in errors[:5]]
    return code, log


def test_sarif_hybrid_points_at_the_tf_line(run_cli, sarif_validator):
    code, log = sarif(run_cli, sarif_validator, *HYBRID)
    assert code == 1 and log["version"] == "2.1.0" and len(log["runs"]) == 1
    run_ = log["runs"][0]
    driver = run_["tool"]["driver"]
    assert (driver["name"], driver["informationUri"]) == ("tfecs", "https://github.com/tfecs/tfecs")
    assert len(driver["rules"]) == 49  # every rule that ran, not only those that found something
    rule = next(r for r in driver["rules"] if r["id"] == "ecs-privileged-container")
    assert rule["shortDescription"]["text"] == "privileged container"
    assert rule["fullDescription"]["text"] == "Flags container definitions with `privileged = true`."
    assert rule["help"]["markdown"].startswith("## What it does\n")
    assert "helpUri" not in rule  # the default docs link is a repository path, not a URI
    assert rule["defaultConfiguration"] == {"level": "error"}
    assert rule["properties"]["security-severity"] == "8.0"
    assert {"security", "task & runtime", "ECS.4"} <= set(rule["properties"]["tags"])
    results = run_["results"]
    assert len(results) == 62
    priv = [r for r in results if r["ruleId"] == "ecs-privileged-container"]
    assert len(priv) == 1
    (loc,) = priv[0]["locations"]
    assert loc["physicalLocation"] == {
        "artifactLocation": {"uri": "testdata/terraform/ecs_insecure/main.tf", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 210},
    }
    assert loc["logicalLocations"][0] == {"fullyQualifiedName": "aws_ecs_task_definition.bad_host", "kind": "resource"}
    assert priv[0]["level"] == "error"
    assert driver["rules"][priv[0]["ruleIndex"]]["id"] == "ecs-privileged-container"
    levels = {r["level"] for r in results if r["properties"]["severity"] == "info"}
    assert levels == {"note"}  # the non-blocking info findings


def test_sarif_plan_alone_falls_back_to_the_plan_file_and_fingerprints_survive(run_cli, sarif_validator, monkeypatch):
    monkeypatch.chdir(ROOT)  # as CI runs it, from the repository root
    _, plan_only = sarif(run_cli, sarif_validator, "testdata/plans/real/ecs_insecure.json")
    _, hybrid = sarif(run_cli, sarif_validator, *HYBRID)
    loc = plan_only["runs"][0]["results"][0]["locations"][0]
    assert loc["physicalLocation"]["artifactLocation"] == {
        "uri": "testdata/plans/real/ecs_insecure.json", "uriBaseId": "%SRCROOT%"
    }
    assert loc["physicalLocation"]["region"] == {"startLine": 1}

    def prints(log):
        return sorted(r["partialFingerprints"]["tfecsFindingHash/v1"] for r in log["runs"][0]["results"])

    # The same findings, with and without a line: the same fingerprints.
    assert prints(plan_only) == prints(hybrid) and len(set(prints(hybrid))) == 62


def test_sarif_unknown_is_a_note_and_suppressed_findings_carry_suppressions(run_cli, sarif_validator):
    _, log = sarif(run_cli, sarif_validator, str(REAL / "unknown_container_defs.json"))
    unknown = [r for r in log["runs"][0]["results"] if r["properties"]["status"] == "unknown"]
    assert unknown and {r["level"] for r in unknown} == {"note"}

    _, out = run(run_cli, "json", INSECURE)
    doc = json.loads(out)
    doc["findings"][0]["suppressed"] = {"source": "inline", "reason": "accepted (SEC-1)", "expires": "2030-01-01"}
    doc["findings"][1]["suppressed"] = {"source": "baseline", "reason": None}
    made = sarif_mod.render_doc(doc)
    assert list(sarif_validator.iter_errors(made)) == []
    results = made["runs"][0]["results"]
    assert results[0]["suppressions"] == [
        {"kind": "inSource", "status": "accepted", "justification": "accepted (SEC-1)",
         "properties": {"source": "inline", "expires": "2030-01-01"}}
    ]
    assert results[1]["suppressions"] == [{"kind": "external", "status": "accepted", "properties": {"source": "baseline"}}]
    assert "suppressions" not in results[2]


def test_sarif_hostile_names_stay_data(run_cli, sarif_validator, tmp_path):
    _, log = sarif(run_cli, sarif_validator, str(hostile_plan(tmp_path)))
    names = {r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] for r in log["runs"][0]["results"]}
    assert names == {f"aws_ecs_task_definition.web[{json.dumps(HOSTILE_KEY)}]"}


# --- JUnit ---------------------------------------------------------------------------


def junit_cases(xml: str):
    junitparser = pytest.importorskip("junitparser")
    doc = junitparser.JUnitXml.fromstring(xml)
    suites = list(doc) if isinstance(doc, junitparser.JUnitXml) else [doc]
    return suites, [(s.name, c) for s in suites for c in s]


def test_junit_one_suite_per_input_and_a_case_per_rule_and_resource(run_cli):
    junitparser = pytest.importorskip("junitparser")
    code, xml = run(run_cli, "junit", *HYBRID)
    assert code == 1
    suites, cases = junit_cases(xml)
    assert [s.name for s in suites] == [INSECURE]
    by_key = {(c.classname, c.name): c for _, c in cases}
    priv = by_key[("ecs-privileged-container", "aws_ecs_task_definition.bad_host")]
    (failure,) = priv.result
    assert isinstance(failure, junitparser.Failure)
    assert failure.message == "container 'bad-privileged' runs privileged" and failure.type == "high"
    assert "at testdata/terraform/ecs_insecure/main.tf:210" in failure.text and "fix: Remove `privileged`" in failure.text
    info = by_key[("ecs-capabilities-not-dropped", "aws_ecs_task_definition.bad_host")]
    assert isinstance(info.result[0], junitparser.Skipped)
    assert info.result[0].message.startswith("not blocking (introduced, info): ")
    # The rules that found nothing pass; counts add up.
    passing = [c for _, c in cases if not c.result]
    assert {c.name for c in passing} == {"no finding"} and len(passing) == 49 - 45
    s = suites[0]
    assert (s.tests, s.failures, s.skipped, s.errors) == (len(cases), 53, 3, 0)


def test_junit_errors_and_hostile_names_parse(run_cli, tmp_path):
    junitparser = pytest.importorskip("junitparser")
    _, xml = run(run_cli, "junit", str(hostile_plan(tmp_path)))
    _, cases = junit_cases(xml)
    assert {c.name for _, c in cases} >= {escape_control(f"aws_ecs_task_definition.web[{json.dumps(HOSTILE_KEY)}]")}
    assert SECRET not in xml and not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", xml)
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    code, out, _ = run_cli("scan", str(bad), INSECURE, "--format", "junit")
    assert code == 2
    suites, cases = junit_cases(out)
    (err_case,) = [c for name, c in cases if name == "tfecs"]
    assert isinstance(err_case.result[0], junitparser.Error) and err_case.name == str(bad)


# --- GitHub workflow commands --------------------------------------------------------

COMMAND = re.compile(r"^::(error|warning|notice) ([^:]*)::(.*)$")


def unescape_property(v: str) -> str:
    return v.replace("%2C", ",").replace("%3A", ":").replace("%0A", "\n").replace("%0D", "\r").replace("%25", "%")


def unescape_data(v: str) -> str:
    return v.replace("%0A", "\n").replace("%0D", "\r").replace("%25", "%")


def annotations(text: str) -> tuple[list[dict], list[str]]:
    """Parse lines as the runner does: commands, and the other (plain log) lines."""
    cmds, plain = [], []
    for line in text.splitlines():
        m = COMMAND.match(line)
        if not m:
            assert not line.startswith("::"), line
            plain.append(line)
            continue
        props = dict(p.split("=", 1) for p in m.group(2).split(","))
        cmds.append({"kind": m.group(1), **{k: unescape_property(v) for k, v in props.items()}, "message": unescape_data(m.group(3))})
    return cmds, plain


def test_github_annotations_most_severe_first_with_a_cap_note(run_cli):
    code, text = run(run_cli, "github", *HYBRID)
    assert code == 1
    cmds, plain = annotations(text)
    assert len(cmds) == 62
    kinds = [c["kind"] for c in cmds]
    assert kinds == ["error"] * 58 + ["warning"] * 4
    errs = [RANK[re.search(r"\((\w+)\)$", c["title"]).group(1)] for c in cmds if c["kind"] == "error"]
    assert errs == sorted(errs, reverse=True) and errs[:10] == [3] * 10  # what GitHub shows: the worst
    priv = next(c for c in cmds if c["title"] == "tfecs ecs-privileged-container (high)")
    assert (priv["file"], priv["line"]) == ("testdata/terraform/ecs_insecure/main.tf", "210")
    assert priv["message"].splitlines() == [
        "aws_ecs_task_definition.bad_host container_definitions[0].privileged: container 'bad-privileged' runs privileged",
        "Fix: Remove `privileged` from the container definition (or set it to false).",
        "Docs: docs/rules/ecs-privileged-container.md",
    ]
    assert plain == [
        "tfecs: GitHub shows 10 annotations of each kind per step, the most severe listed first; "
        "the rest of the 58 errors are in this log only.",
        "tfecs: 62 introduced (58 blocking), 0 existing, 0 fixed. Result: blocked (exit 1).",
    ]


def test_github_unknown_is_a_notice_and_plan_only_has_no_file(run_cli):
    _, text = run(run_cli, "github", str(REAL / "unknown_container_defs.json"))
    cmds, _ = annotations(text)
    notices = [c for c in cmds if c["kind"] == "notice"]
    assert notices and all("file" not in c and "unknown until apply" in c["title"] for c in notices)


def test_github_hostile_names_cannot_start_a_command(run_cli, tmp_path):
    _, text = run(run_cli, "github", str(hostile_plan(tmp_path)))
    cmds, plain = annotations(text)
    assert len(cmds) == 9 and len(plain) == 1  # one line each: no value ended its line
    assert not re.search("[\x00-\x09\x0b-\x1f\x7f\u202e]", text)
    priv = next(c for c in cmds if "ecs-privileged-container" in c["title"])
    assert escape_control(HOSTILE_CONTAINER) in priv["message"]
    assert SECRET not in text


# --- GitLab Code Quality -------------------------------------------------------------


def test_gitlab_code_quality_fields(run_cli):
    code, out = run(run_cli, "gitlab", *HYBRID)
    assert code == 1
    issues = json.loads(out)
    assert len(issues) == 62
    for i in issues:
        assert {"description", "check_name", "fingerprint", "severity", "location"} <= set(i)
        assert i["severity"] in {"info", "minor", "major", "critical", "blocker"}
        assert isinstance(i["location"]["path"], str) and i["location"]["lines"]["begin"] >= 1
    assert len({i["fingerprint"] for i in issues}) == 62
    priv = next(i for i in issues if i["check_name"] == "ecs-privileged-container")
    assert priv["location"] == {"path": "testdata/terraform/ecs_insecure/main.tf", "lines": {"begin": 210}}
    assert priv["severity"] == "critical"
    assert priv["description"] == (
        "aws_ecs_task_definition.bad_host (container_definitions[0].privileged): container 'bad-privileged' runs privileged"
    )
    # Stable: a second run, and the plan alone (no line), give the same fingerprints.
    _, again = run(run_cli, "gitlab", INSECURE)
    assert sorted(i["fingerprint"] for i in json.loads(again)) == sorted(i["fingerprint"] for i in issues)
    blocking_low = [i for i in issues if i["check_name"] == "ecs-image-untrusted-registry"]
    assert {i["severity"] for i in blocking_low} == {"major"}  # blocking is at least major


# --- Atlantis ------------------------------------------------------------------------

# Atlantis >= 0.39 (PR #6019): a policy set fails on this, or on output starting with FAIL.
ATLANTIS_FAILS = re.compile(r"([1-9][0-9]* failure|failures\": \[)")
CONFTEST_SUMMARY = re.compile(r"\d+ tests?, \d+ passed, \d+ warnings?, \d+ failures?, \d+ exceptions?(, \d skipped)?")


def test_atlantis_findings_exit_zero_and_read_as_failures(run_cli):
    code, text = run(run_cli, "atlantis", *HYBRID)
    assert code == 0  # Atlantis reads the verdict from the text
    lines = text.splitlines()
    assert ATLANTIS_FAILS.search(text) and text.startswith("FAIL - ")
    assert lines[-1] == "66 tests, 4 passed, 4 warnings, 58 failures, 0 exceptions"
    assert CONFTEST_SUMMARY.fullmatch(lines[-1])
    assert sum(line.startswith("FAIL - ") for line in lines) == 58
    assert sum(line.startswith("WARN - ") for line in lines) == 4
    assert "FAIL - aws_ecs_task_definition.bad_host - ecs-privileged-container - container 'bad-privileged' runs privileged (testdata/terraform/ecs_insecure/main.tf:210)" in lines
    assert "\x1b" not in text
    _, again = run(run_cli, "atlantis", *HYBRID)
    assert again == text  # stable across re-plans (sticky approvals hash the lines)


def test_atlantis_clean_run_never_says_fail(run_cli):
    for plan in ("ecs_hardened.json", "ecs_hardened_variants.json", "change_fix_only.json"):
        code, text = run(run_cli, "atlantis", str(REAL / plan))
        assert code == 0
        assert "fail" not in text.lower(), plan
        assert text.splitlines()[-1].startswith("tfecs: ") and "nothing blocking" in text


def test_atlantis_error_still_exits_2(run_cli, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    code, out, err = run_cli("scan", str(bad), "--format", "atlantis")
    assert code == 2 and out == "" and err.startswith("tfecs: error: ")


def test_atlantis_hostile_names_stay_on_their_line(run_cli, tmp_path):
    _, text = run(run_cli, "atlantis", str(hostile_plan(tmp_path)))
    lines = text.splitlines()
    assert len(lines) == 10 and all(re.match(r"^(FAIL|WARN) - ", line) for line in lines[:-1])
    assert not re.search("[\x00-\x09\x0b-\x1f\x7f\u202e]", text) and SECRET not in text


# --- several outputs from one scan ---------------------------------------------------


def test_report_option_writes_more_files_while_the_table_goes_to_stdout(run_cli, tmp_path):
    specs = {fmt: tmp_path / f"out.{fmt}" for fmt in ("sarif", "markdown", "junit", "gitlab", "github", "atlantis", "json")}
    args = [a for fmt, p in specs.items() for a in ("--report", f"{fmt}={p}")]
    code, out, err = run_cli("scan", *HYBRID, *args, "--no-color")
    assert (code, err) == (1, "")
    assert out.startswith("scanned ") and "verdict   BLOCKED: 58 findings block this change (exit 1)" in out  # the table
    for fmt, path in specs.items():
        _, alone = run(run_cli, fmt, *HYBRID)
        assert path.read_text() == alone, fmt


def test_report_option_rejects_a_bad_spec_before_scanning(run_cli, tmp_path):
    for bad in ("sarif", "nope=x.txt", "sarif="):
        code, out, err = run_cli("scan", INSECURE, "--report", bad)
        assert code == 2 and "--report" in err and out == ""
    code, _, err = run_cli("scan", INSECURE, "--report", f"sarif={tmp_path}/no/such/dir/x.sarif")
    assert code == 2


def test_report_to_a_directory_or_twice_to_one_file_is_a_usage_error(run_cli, tmp_path):
    """Refused before scanning: before, the scan ran, printed its report, then died on
    the directory (or the second report silently replaced the first)."""
    code, out, err = run_cli("scan", INSECURE, "--report", f"sarif={tmp_path}")
    assert (code, out) == (2, "")
    assert f"Invalid value for --report: {str(tmp_path)!r} is a directory, not a file (in {'sarif=' + str(tmp_path)!r})" in err
    code, out, err = run_cli("scan", INSECURE, "--report", f"sarif={tmp_path}/r", "--report", f"json={tmp_path}/./r")
    assert (code, out) == (2, "")
    assert f"Invalid value for --report: two reports would be written to {str(tmp_path) + '/./r'!r}" in err
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_redacts_the_hostile_plan_secret(run_cli, tmp_path, fmt):
    code, out, err = run_cli("scan", str(hostile_plan(tmp_path)), "--format", fmt)
    assert code in (0, 1) and err == ""
    assert "ecs-privileged-container" in out and SECRET not in out


def test_every_format_on_the_corpus(sarif_validator):
    """The 40 real-world plans: SARIF valid, JUnit parses, markdown within GitHub's limit,
    a clean Atlantis run never says "fail"."""
    import xml.etree.ElementTree as ET

    from conftest import CORPUS

    from tfecs.cli import load_rules
    from tfecs.reporters import render
    from tfecs.scan import scan

    plans = sorted(CORPUS.glob("*.json")) if CORPUS.is_dir() else []
    if not plans:
        pytest.skip("the corpus of real plans is not in ../shared/corpus")
    rules = load_rules()
    for plan in plans:
        report = scan([str(plan)], rules)
        assert report.errors == [], plan
        log = json.loads(render(report, "sarif"))
        assert list(sarif_validator.iter_errors(log)) == [], plan
        assert len(log["runs"][0]["results"]) == len(report.findings)
        suites = ET.fromstring(render(report, "junit"))
        assert suites.get("failures") is not None
        assert len(render(report, "markdown")) <= 65536
        text = render(report, "atlantis")
        if report.exit_code == 0:
            assert "fail" not in text.lower(), plan
        else:
            assert ATLANTIS_FAILS.search(text), plan


def test_sarif_uris_are_escaped_and_absolute_paths_are_file_uris():
    doc = {"schema_version": 1, "tool": {"version": "1"}, "findings": [
        {"rule": "r-x", "address": "a.b", "message": "m", "severity": "high", "blocking": True, "file": "mod dir/a#b.tf", "line": 3},
        {"rule": "r-x", "address": "a.c", "message": "m", "severity": "high", "blocking": True, "input": "/tmp/p plan.json"},
    ]}
    results = sarif_mod.render_doc(doc)["runs"][0]["results"]
    assert results[0]["locations"][0]["physicalLocation"]["artifactLocation"] == {"uri": "mod%20dir/a%23b.tf", "uriBaseId": "%SRCROOT%"}
    assert results[1]["locations"][0]["physicalLocation"]["artifactLocation"] == {"uri": "file:///tmp/p%20plan.json"}


def test_a_secret_equal_to_a_word_of_the_format_breaks_nothing(tmp_path):
    """Values are masked before rendering, never the rendered text: a sensitive value
    "code" or "error" must not cut a <code> tag or a workflow command."""
    from planfixture import write_plan
    from tfecs_rules import ALL_RULES

    from tfecs.reporters import render
    from tfecs.scan import scan

    containers = [{"name": "app", "image": "app:1", "privileged": True,
                   "environment": [{"name": "MODE", "value": "code"}, {"name": "LEVEL", "value": "error"}]}]
    plan = write_plan([{"address": "aws_ecs_task_definition.web", "values": {"family": "web", "container_definitions": containers},
                        "sensitive": {"container_definitions": True}}], tmp_path / "plan.json")
    report = scan([str(plan)], [r() for r in ALL_RULES if r.meta.id == "ecs-privileged-container"])
    # "code" and "error" are common words inside a sensitive document: masked where they
    # stand for the value in its own finding, never in the rendered text.
    page = render(report, "markdown")
    assert "<code>aws_ecs_task_definition.web</code>" in page and "(redacted)>" not in page
    gh = render(report, "github")
    assert gh.startswith("::error file=") or gh.startswith("::error title=")


def test_sarif_help_uri_from_docs_base_url(run_cli, sarif_validator):
    code, log = sarif(run_cli, sarif_validator, *HYBRID, "--docs-base-url", "https://github.com/acme/tfecs/blob/v1")
    rule = next(r for r in log["runs"][0]["tool"]["driver"]["rules"] if r["id"] == "ecs-privileged-container")
    assert rule["helpUri"] == "https://github.com/acme/tfecs/blob/v1/docs/rules/ecs-privileged-container.md"


def test_sarif_keeps_within_code_scannings_result_limit(monkeypatch):
    """GitHub rejects a whole upload with more than 25,000 results in a run (a large plan
    can have that many findings): the blocking and most severe are kept, and a
    notification says how many were left out."""
    monkeypatch.setattr(sarif_mod, "MAX_RESULTS", 3)
    findings = [
        {"rule": f"r{i}", "address": f"a.b{i}", "severity": sev, "blocking": blocking, "status": "fail", "message": "m"}
        for i, (sev, blocking) in enumerate([("info", False), ("high", True), ("low", True), ("critical", False), ("medium", True)])
    ]
    log = sarif_mod.render_doc({"tool": {"name": "tfecs", "version": "1"}, "findings": findings, "inputs": [{"path": "p.json"}]})
    run = log["runs"][0]
    assert [r["ruleId"] for r in run["results"]] == ["r1", "r2", "r4"]
    assert run["invocations"][0]["toolExecutionNotifications"] == [{"level": "warning", "message": {"text": (
        "2 of 5 findings are left out: code scanning rejects a run of more than 3 results "
        "(the blocking and most severe are kept; the JSON report has them all)")}}]
    assert run["invocations"][0]["executionSuccessful"] is True
