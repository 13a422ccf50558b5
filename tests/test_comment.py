"""`tfecs comment github|gitlab` end to end: the real CLI against a real HTTP server on
127.0.0.1 (tests/fakeforge.py) implementing the GitHub and GitLab endpoints it calls."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner
from conftest import ROOT, TESTDATA
from fakeforge import Fault, Forge

from tfecs.cli import cli

REAL = TESTDATA / "plans" / "real"
TOKEN = "ghp_good"
GL_TOKEN = "glpat-good"
TAG_LINE = "<!-- tfecs:proj -->"


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """JSON reports of two real plans, written by the real `tfecs scan`."""
    out = tmp_path_factory.mktemp("reports")
    paths = {}
    for name in ("ecs_insecure", "ecs_hardened"):
        path = out / f"{name}.json"
        result = CliRunner().invoke(cli, ["scan", str(REAL / f"{name}.json"), "-f", "json", "-o", str(path)])
        assert result.exit_code in (0, 1), result.output
        paths[name] = str(path)
    return paths


@pytest.fixture
def forge():
    with Forge(github_token=TOKEN, gitlab_token=GL_TOKEN) as f:
        yield f


def gh(forge, report, *args, token=TOKEN, tag="proj"):
    env = {"GITHUB_TOKEN": token, "NO_PROXY": "*", "no_proxy": "*", "GITHUB_REPOSITORY": None, "GITHUB_API_URL": None}
    cmd = ["comment", "github", "--path", report, "--repo", "o/r", "--pull-request", "1", "--github-api-url", forge.url]
    if tag:
        cmd += ["--tag", tag]
    result = CliRunner().invoke(cli, cmd + list(args), env=env, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def gl(forge, report, *args, tag="proj"):
    env = {"GITLAB_TOKEN": GL_TOKEN, "NO_PROXY": "*", "no_proxy": "*", "CI_PROJECT_PATH": None, "CI_SERVER_URL": None}
    cmd = ["comment", "gitlab", "--path", report, "--repo", "group/sub/proj", "--merge-request", "7", "--gitlab-server-url", forge.url]
    if tag:
        cmd += ["--tag", tag]
    result = CliRunner().invoke(cli, cmd + list(args), env=env, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def ours(forge):
    return [c for c in sorted(forge.comments.values(), key=lambda c: c["id"]) if c["body"].startswith(TAG_LINE + "\n")]


# ------------------------------------------------------------------------------ GitHub


def test_github_create_then_unchanged_then_update(forge, reports):
    code, out, err = gh(forge, reports["ecs_insecure"])
    assert (code, err) == (0, "")
    assert out.startswith("tfecs: created the comment: https://github.example/o/r/pull/1#issuecomment-")
    [c] = forge.comments.values()
    body = c["body"]
    assert body.splitlines()[0] == TAG_LINE
    assert "blocked" in body and "aws_cloudtrail.bad" in body and len(body) <= 65536
    assert forge.writes() == [("POST", "/repos/o/r/issues/1/comments")]

    forge.log.clear()
    code, out, err = gh(forge, reports["ecs_insecure"])
    assert code == 0 and "unchanged, nothing written" in out
    assert forge.writes() == []  # the same body: no write call at all
    assert [c["body"] for c in forge.comments.values()] == [body]

    forge.log.clear()
    code, out, err = gh(forge, reports["ecs_hardened"])
    assert code == 0 and out.startswith("tfecs: updated the comment")
    cid = next(iter(forge.comments))
    assert forge.writes() == [("PATCH", f"/repos/o/r/issues/comments/{cid}")]
    assert len(forge.comments) == 1 and "pass" in forge.comments[cid]["body"] and forge.comments[cid]["body"] != body


def test_github_update_touches_only_its_own_tag_and_author(forge, reports):
    other_tag = forge.add_comment("<!-- tfecs:other -->\nanother project")
    pasted = forge.add_comment(TAG_LINE + "\nI pasted the marker", login="mallory", user_type="User")
    quoted = forge.add_comment("> " + TAG_LINE + "\n> quoted")
    mine = forge.add_comment(TAG_LINE + "\nold report")
    code, out, _ = gh(forge, reports["ecs_insecure"])
    assert code == 0 and "updated" in out
    assert forge.writes() == [("PATCH", f"/repos/o/r/issues/comments/{mine}")]
    assert forge.comments[other_tag]["body"] == "<!-- tfecs:other -->\nanother project"
    assert forge.comments[pasted]["body"] == TAG_LINE + "\nI pasted the marker"
    assert forge.comments[quoted]["body"].startswith("> ")


def test_github_actions_token_only_trusts_bot_comments(forge, reports):
    """GITHUB_TOKEN (ghs_…) cannot read /user (403): only Bot-authored comments are candidates."""
    forge.github_token = "ghs_installation"
    human = forge.add_comment(TAG_LINE + "\nhuman copy", login="mallory", user_type="User")
    code, out, _ = gh(forge, reports["ecs_insecure"], "--behavior", "delete-and-new", token="ghs_installation")
    assert code == 0 and "deleted 0 older ones" in out
    assert human in forge.comments and len(ours(forge)) == 2


def test_github_new_always_posts(forge, reports):
    for _ in range(2):
        assert gh(forge, reports["ecs_insecure"], "--behavior", "new")[0] == 0
    assert len(ours(forge)) == 2
    assert [m for m, _ in forge.writes()] == ["POST", "POST"]


def test_github_hide_and_new_minimizes_the_older(forge, reports):
    first = forge.add_comment(TAG_LINE + "\nfirst")
    second = forge.add_comment(TAG_LINE + "\nsecond")
    forge.comments[first]["minimized"] = True  # hidden by an earlier run: not hidden again
    other = forge.add_comment("<!-- tfecs:other -->\nx")
    code, out, _ = gh(forge, reports["ecs_insecure"], "--behavior", "hide-and-new")
    assert code == 0 and "hid 1 older one" in out, out
    newest = max(forge.comments)
    assert forge.comments[second]["minimized"] and not forge.comments[newest]["minimized"]
    assert not forge.comments[other]["minimized"]
    graphql = [p for m, p in forge.log if p == "/graphql"]
    assert len(graphql) == 2  # one isMinimized query, one minimizeComment for `second`
    assert forge.writes() == [("POST", "/repos/o/r/issues/1/comments")]


def test_github_delete_and_new(forge, reports):
    old = [forge.add_comment(TAG_LINE + f"\nrun {i}") for i in range(3)]
    other = forge.add_comment("<!-- tfecs:other -->\nx")
    code, out, _ = gh(forge, reports["ecs_insecure"], "--behavior", "delete-and-new")
    assert code == 0 and "deleted 3 older ones" in out
    assert not set(old) & set(forge.comments) and other in forge.comments
    assert [m for m, _ in forge.writes()] == ["POST", "DELETE", "DELETE", "DELETE"]  # post first


def test_github_pagination_over_250_comments(forge, reports):
    for i in range(120):
        forge.add_comment(f"chatter {i}", login="someone", user_type="User")
    target = forge.add_comment(TAG_LINE + "\nold")
    for i in range(130):
        forge.add_comment(f"more chatter {i}", login="someone", user_type="User")
    code, out, _ = gh(forge, reports["ecs_insecure"])
    assert code == 0 and "updated" in out
    pages = [p for m, p in forge.log if m == "GET" and p.endswith("/comments")]
    assert len(pages) == 3  # 251 comments at 100 a page, following Link rel="next"
    assert forge.writes() == [("PATCH", f"/repos/o/r/issues/comments/{target}")]


def test_github_bad_token_is_one_line_exit_2_without_the_token(forge, reports, tmp_path):
    """Through the installed entry point: one line naming host and status, token never shown."""
    secret = "ghp_SUPERSECRET0123456789"
    env = {**os.environ, "GITHUB_TOKEN": secret, "NO_PROXY": "*", "no_proxy": "*"}
    proc = subprocess.run(
        [sys.executable, "-m", "tfecs", "comment", "github", "--path", reports["ecs_insecure"], "--repo", "o/r",
         "--pull-request", "1", "--github-api-url", forge.url],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr == "tfecs: error: 127.0.0.1: HTTP 401 Unauthorized: Bad credentials (check the token)\n"
    assert secret not in proc.stderr + proc.stdout
    assert forge.writes() == []


def test_github_token_with_a_newline_is_refused_without_echo(forge, reports):
    code, out, err = gh(forge, reports["ecs_insecure"], token="ghp_abc\nX-Evil: 1")
    assert code == 2 and "ghp_abc" not in out + err and err.count("\n") == 1
    assert "characters an HTTP header cannot carry" in err
    assert forge.log == []


def test_github_5xx_then_success(forge, reports):
    forge.faults.append(Fault("GET", r"/issues/1/comments", 502, times=1))
    forge.faults.append(Fault("POST", r"/issues/1/comments", 503, times=1))
    code, out, err = gh(forge, reports["ecs_insecure"])
    assert (code, err) == (0, ""), err
    assert len(ours(forge)) == 1
    assert [m for m, p in forge.log if p.endswith("/comments")] == ["GET", "GET", "POST", "POST"]


def test_github_5xx_every_time_is_exit_2(forge, reports):
    forge.faults.append(Fault("GET", r"/issues/1/comments", 500, {"Retry-After": "0"}, times=10))
    code, out, err = gh(forge, reports["ecs_insecure"])
    assert code == 2
    assert err == "tfecs: error: 127.0.0.1: HTTP 500 Internal Server Error: injected (after 3 attempts)\n"
    assert forge.comments == {}


def test_github_rate_limit_honours_retry_after(forge, reports):
    forge.faults.append(Fault("GET", r"/issues/1/comments", 403, {"Retry-After": "1"}, body={"message": "secondary rate limit"}))
    start = time.monotonic()
    code, out, err = gh(forge, reports["ecs_insecure"])
    assert (code, err) == (0, "")
    assert time.monotonic() - start >= 1.0  # waited what the server asked
    assert len(ours(forge)) == 1


def test_github_rate_limit_beyond_the_cap_gives_up_at_once(forge, reports):
    forge.faults.append(Fault("GET", r"/issues/1/comments", 429, {"Retry-After": "3600"}, times=5))
    start = time.monotonic()
    code, out, err = gh(forge, reports["ecs_insecure"])
    assert code == 2 and time.monotonic() - start < 5
    assert err == (
        "tfecs: error: 127.0.0.1: HTTP 429 Too Many Requests: injected "
        "(the server asks to wait 3600 s, more than the 60 s tfecs waits)\n"
    )


def test_github_pagination_link_to_another_host_is_refused(forge, reports):
    forge.faults.append(
        Fault("GET", r"/issues/1/comments", 200, {"Link": '<https://evil.example/steal?page=2>; rel="next"'}, body=[])
    )
    code, out, err = gh(forge, reports["ecs_insecure"])
    assert code == 2 and "refusing to follow a link to another origin (evil.example)" in err
    assert forge.writes() == []


def test_github_token_over_plain_http_to_a_remote_host_is_refused(reports):
    result = CliRunner().invoke(
        cli,
        ["comment", "github", "--path", reports["ecs_insecure"], "--repo", "o/r", "--pull-request", "1",
         "--github-api-url", "http://github.example/api/v3"],
        env={"GITHUB_TOKEN": TOKEN},
    )
    assert result.exit_code == 2
    assert result.stderr == "tfecs: error: --github-api-url: refusing to send a token over plain http to github.example (use https://)\n"


def test_missing_token_and_bad_report(forge, reports, tmp_path):
    code, _, err = gh(forge, reports["ecs_insecure"], token="")
    assert code == 2 and err == "tfecs: error: no GitHub token: pass --github-token or set GITHUB_TOKEN\n"
    bad = tmp_path / "plan.json"
    bad.write_text(json.dumps({"format_version": "1.2", "resource_changes": []}))
    code, _, err = gh(forge, str(bad))
    assert code == 2 and err == f"tfecs: error: {bad}: not a tfecs JSON report (write it with `tfecs scan --format json --output FILE`)\n"
    assert forge.log == []


@pytest.mark.parametrize("kind", ["deep", "no-summary", "bad-exit", "bad-finding"])
def test_a_tampered_report_is_refused_not_posted_as_a_pass(forge, reports, tmp_path, kind):
    """A report without a summary was posted as "pass"; a deeply nested one was an
    internal error."""
    path = tmp_path / "r.json"
    doc = json.loads(open(reports["ecs_insecure"]).read())
    if kind == "deep":
        path.write_text("[" * 100_000 + "]" * 100_000)
        message = "not JSON (write it with `tfecs scan --format json --output FILE`)"
    else:
        if kind == "no-summary":
            doc["summary"] = "pass"
        elif kind == "bad-exit":
            doc["summary"]["exit_code"] = True
        else:
            doc["findings"] = ["x"]
        path.write_text(json.dumps(doc))
        message = "not a tfecs JSON report (no summary with an exit_code, or findings that are not objects)"
    code, _, err = gh(forge, str(path))
    assert (code, err) == (2, f"tfecs: error: {path}: {message}\n")
    assert forge.log == []


def test_report_from_stdin_and_default_tag(forge, reports, tmp_path):
    doc = json.loads(open(reports["ecs_insecure"]).read())
    doc["inputs"][0]["path"] = str(tmp_path / "envs" / "prod" / "plan.json")
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        result = CliRunner().invoke(
            cli,
            ["comment", "github", "--path", "-", "--repo", "o/r", "--pull-request", "1", "--github-api-url", forge.url],
            input=json.dumps(doc), env={"GITHUB_TOKEN": TOKEN, "NO_PROXY": "*", "no_proxy": "*"},
        )
    finally:
        os.chdir(cwd)
    assert result.exit_code == 0, result.output
    [c] = forge.comments.values()
    assert c["body"].splitlines()[0] == "<!-- tfecs:envs/prod/plan.json -->"


def test_body_never_over_65536(forge, tmp_path, reports):
    """A report of 20,000 findings still fits GitHub's limit, the marker on top."""
    doc = json.loads(open(reports["ecs_insecure"]).read())
    f0 = doc["findings"][0]
    doc["findings"] = [{**f0, "address": f"aws_cloudtrail.t{i}"} for i in range(20000)]
    big = tmp_path / "big.json"
    big.write_text(json.dumps(doc))
    code, out, err = gh(forge, str(big))
    assert code == 0, err
    [c] = forge.comments.values()
    assert len(c["body"]) <= 65536 and c["body"].splitlines()[0] == TAG_LINE


# ------------------------------------------------------------------------------ GitLab


def test_gitlab_create_unchanged_update(forge, reports):
    code, out, err = gl(forge, reports["ecs_insecure"])
    assert (code, err) == (0, ""), err
    assert out == "tfecs: created the comment\n"
    [n] = forge.notes.values()
    assert n["body"].splitlines()[0] == TAG_LINE
    assert forge.writes() == [("POST", "/api/v4/projects/group%2Fsub%2Fproj/merge_requests/7/notes")]

    forge.log.clear()
    code, out, _ = gl(forge, reports["ecs_insecure"])
    assert code == 0 and "unchanged" in out and forge.writes() == []

    forge.log.clear()
    code, out, _ = gl(forge, reports["ecs_hardened"])
    assert code == 0 and "updated" in out
    assert forge.writes() == [("PUT", f"/api/v4/projects/group%2Fsub%2Fproj/merge_requests/7/notes/{n['id']}")]


def test_gitlab_pagination_authors_and_system_notes(forge, reports):
    for i in range(150):
        forge.add_note(f"chatter {i}", author_id=99)
    forge.add_note(TAG_LINE + "\nsomeone else's copy", author_id=99)
    forge.add_note(TAG_LINE + "\nsystem", system=True)
    mine = forge.add_note(TAG_LINE + "\nold")
    for i in range(60):
        forge.add_note(f"later {i}", author_id=99)
    code, out, _ = gl(forge, reports["ecs_insecure"])
    assert code == 0 and "updated" in out
    pages = [p for m, p in forge.log if m == "GET" and p.endswith("/notes")]
    assert len(pages) == 3  # 213 notes, X-Next-Page followed
    assert forge.writes() == [("PUT", f"/api/v4/projects/group%2Fsub%2Fproj/merge_requests/7/notes/{mine}")]


@pytest.mark.parametrize("behavior", ["hide-and-new", "delete-and-new"])
def test_gitlab_hide_or_delete_and_new_delete_the_older(forge, reports, behavior):
    old = [forge.add_note(TAG_LINE + f"\nrun {i}") for i in range(2)]
    other = forge.add_note("<!-- tfecs:other -->\nx")
    code, out, _ = gl(forge, reports["ecs_insecure"], "--behavior", behavior)
    assert code == 0 and "deleted 2 older ones" in out
    assert not set(old) & set(forge.notes) and other in forge.notes
    assert [m for m, _ in forge.writes()] == ["POST", "DELETE", "DELETE"]


def test_gitlab_new_and_bad_token(forge, reports):
    assert gl(forge, reports["ecs_insecure"], "--behavior", "new")[0] == 0
    assert gl(forge, reports["ecs_insecure"], "--behavior", "new")[0] == 0
    assert len(forge.notes) == 2
    forge.gitlab_token = "rotated"
    code, out, err = gl(forge, reports["ecs_insecure"])
    assert code == 2 and err == "tfecs: error: 127.0.0.1: HTTP 401 Unauthorized: 401 Unauthorized (check the token)\n"
    assert GL_TOKEN not in out + err


def test_gitlab_5xx_then_success(forge, reports):
    forge.faults.append(Fault("POST", r"/notes", 500, {"Retry-After": "0"}, times=2))
    code, out, err = gl(forge, reports["ecs_insecure"])
    assert (code, err) == (0, "")
    assert len(forge.notes) == 1
    assert [m for m, p in forge.log if p.endswith("/notes")] == ["GET", "POST", "POST", "POST"]


def test_invalid_tag_is_refused(forge, reports):
    code, _, err = gh(forge, reports["ecs_insecure"], tag="a --> b")
    assert code == 2 and err.startswith("tfecs: error: --tag: use 1 to 100 letters")
    assert forge.log == []


def test_help_lists_infracost_options():
    out = CliRunner().invoke(cli, ["comment", "github", "--help"]).output
    for opt in ("--path", "--repo", "--pull-request", "--github-token", "--github-api-url", "--behavior", "--tag"):
        assert opt in out
    out = CliRunner().invoke(cli, ["comment", "gitlab", "--help"]).output
    for opt in ("--path", "--repo", "--merge-request", "--gitlab-token", "--gitlab-server-url", "--behavior", "--tag"):
        assert opt in out
    assert ROOT.exists()


def test_github_enterprise_paths(forge, reports):
    """--github-api-url https://HOST/api/v3: REST under it, GraphQL at /api/graphql."""
    old = forge.add_comment(TAG_LINE + "\nold")
    env = {"GITHUB_TOKEN": TOKEN, "NO_PROXY": "*", "no_proxy": "*"}
    result = CliRunner().invoke(
        cli,
        ["comment", "github", "--path", reports["ecs_insecure"], "--repo", "o/r", "--pull-request", "1",
         "--github-api-url", forge.url + "/api/v3/", "--tag", "proj", "--behavior", "hide-and-new"],
        env=env,
    )
    assert result.exit_code == 0, result.output
    assert forge.comments[old]["minimized"]
    assert ("POST", "/api/graphql") in forge.log and ("GET", "/api/v3/repos/o/r/issues/1/comments") in forge.log


def test_unreachable_api_is_one_line(reports):
    import socket

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = CliRunner().invoke(
        cli,
        ["comment", "gitlab", "--path", reports["ecs_insecure"], "--repo", "g/p", "--merge-request", "1",
         "--gitlab-server-url", f"http://127.0.0.1:{port}"],
        env={"GITLAB_TOKEN": GL_TOKEN, "NO_PROXY": "*", "no_proxy": "*"},
    )
    assert result.exit_code == 2
    assert result.stderr.startswith(f"tfecs: error: 127.0.0.1: cannot reach the API (") and result.stderr.count("\n") == 1
    assert result.stderr.endswith("after 3 attempts\n") and GL_TOKEN not in result.stderr


def test_dry_run_prints_the_body_without_token_or_network(reports):
    result = CliRunner().invoke(
        cli,
        ["comment", "github", "--path", reports["ecs_insecure"], "--repo", "o/r", "--pull-request", "1",
         "--github-api-url", "http://127.0.0.1:9", "--tag", "proj", "--dry-run"],
        env={"GITHUB_TOKEN": None},
    )
    assert result.exit_code == 0 and result.stderr == ""
    assert result.stdout.startswith(TAG_LINE + "\n### :x: tfecs: blocked")


def test_retry_after_forms():
    from tfecs.httpclient import retry_wait

    now = lambda: 1_000_000_000.0  # noqa: E731 - 2001-09-09T01:46:40Z
    assert retry_wait({"retry-after": "7"}, now) == 7.0
    assert retry_wait({"retry-after": "Sun, 09 Sep 2001 01:47:10 GMT"}, now) == 30.0
    assert retry_wait({"retry-after": "Sun, 09 Sep 2001 01:40:00 GMT"}, now) == 0.0  # past: no wait
    assert retry_wait({"retry-after": "soon"}, now) is None
    assert retry_wait({"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1000000012"}, now) == 12.0
    assert retry_wait({"x-ratelimit-remaining": "5", "x-ratelimit-reset": "1000000012"}, now) is None


def test_retry_after_that_is_no_ascii_number_is_no_wait():
    """A header is latin-1: byte 0xb2 is "²", which isdigit() accepts and float() refuses
    (it crashed the client before)."""
    from tfecs.httpclient import retry_wait

    now = lambda: 1_000_000_000.0  # noqa: E731
    assert retry_wait({"retry-after": "\u00b2"}, now) is None
    assert retry_wait({"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1\u00b2"}, now) is None


def test_a_server_that_drips_its_answer_is_cut_off():
    """The socket timeout bounds each read, not the answer: one byte every 0.2 s never
    trips it, so the body has a deadline of its own (one line, no retry)."""
    import socket
    import threading

    from tfecs.httpclient import Client, HttpError

    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    stop = threading.Event()

    def drip():
        conn, _ = srv.accept()
        with conn:
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n[")
            while not stop.is_set():
                try:
                    conn.sendall(b" ")
                except OSError:
                    return
                time.sleep(0.2)

    thread = threading.Thread(target=drip, daemon=True)
    thread.start()
    client = Client(f"http://127.0.0.1:{srv.getsockname()[1]}", ("Authorization", "Bearer t0ken"), "t0ken", timeout=5.0, body_deadline=1.0)
    started = time.monotonic()
    try:
        with pytest.raises(HttpError) as info:
            client.request("GET", client.url("/x"))
    finally:
        stop.set()
        srv.close()
    assert time.monotonic() - started < 4
    assert str(info.value) == "127.0.0.1: the answer took longer than 1 s to arrive"
    assert client.calls == [("GET", "/x")]


def test_default_tag_never_holds_a_path_of_the_machine(tmp_path, monkeypatch):
    """An input outside the working directory is keyed by its path in its git work tree,
    else by its file name: an absolute path would show in the PR and change per runner."""
    from tfecs.comment import default_tag

    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "infra").mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert default_tag({"inputs": [{"path": str(repo / "infra" / "plan.json")}]}) == "infra/plan.json"
    assert default_tag({"inputs": [{"path": str(tmp_path / "loose" / "plan.json")}]}) == "plan.json"
    assert default_tag({"inputs": [{"path": "infra/plan.json"}]}) == "infra/plan.json"
