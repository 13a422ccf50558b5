"""`tfecs comment github|gitlab`: one sticky pull-request comment per project, with
infracost's interface (`--path`, `--repo`, `--pull-request`/`--merge-request`, `--behavior`,
`--tag`) so CI snippets carry over.

The body is the markdown rendering of a JSON report (`tfecs scan --format json`) carrying a
hidden marker line `<!-- tfecs:TAG -->`; only comments with that marker line, written by
the token's own user (when the API can say who that is), are ever edited, hidden or
deleted. Behaviours:
- update (default): edit the newest marked comment, or create one; no write call when the
  body is unchanged;
- new: always create;
- hide-and-new: create, then minimise the older marked comments (GitHub GraphQL
  `minimizeComment`, classifier OUTDATED; GitLab has no hiding: they are deleted);
- delete-and-new: create, then delete the older marked comments.
Creating first means a failure never leaves the pull request without a report.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NoReturn

import click

if TYPE_CHECKING:
    from .httpclient import Client

BEHAVIORS = ("update", "new", "hide-and-new", "delete-and-new")
GITHUB_MAX = 65536  # characters in a GitHub comment body
GITLAB_MAX = 65536  # GitLab allows ~1,000,000; a reviewer reads no more than GitHub shows
MAX_PAGES = 200  # 20,000 comments: a bound, not a limit anyone meets
READ_LIMIT = 256 * 1024 * 1024

_TAG_OK = re.compile(r"^[A-Za-z0-9._/=+,-]{1,100}$")  # what the markdown marker keeps as is


class CommentError(Exception):
    """A one-line failure of `tfecs comment` (exit 2)."""


@dataclass
class Note:
    """A comment on the pull/merge request."""

    id: int
    body: str
    node_id: str | None = None  # GitHub GraphQL id
    author: Any = None
    author_type: str | None = None
    url: str | None = None


# ----------------------------------------------------------------------------- the body


def marker(tag: str) -> str:
    return f"<!-- tfecs:{tag} -->"


def has_marker(body: str, tag: str) -> bool:
    """The marker as a whole line (a quoted copy, `> <!-- … -->`, does not count)."""
    m = marker(tag)
    return any(line.strip() == m for line in (body or "").splitlines())


def check_tag(tag: str) -> str:
    if not _TAG_OK.match(tag) or "--" in tag:
        raise CommentError(
            "--tag: use 1 to 100 letters, digits and . _ / = + , - (no '--'), e.g. --tag envs/prod"
        )
    return tag


def default_tag(doc: dict) -> str:
    """A stable key for the report's project: its input paths (relative to the current
    directory when inside it, else to their git work tree, else the file name: never a
    path of the machine, which would change between runners and show in the PR), made
    safe for an HTML comment; long keys are hashed."""
    from .paths import git_root

    cwd = os.getcwd()
    keys = []
    for item in doc.get("inputs") or []:
        path = str(item.get("path") or "") if isinstance(item, dict) else ""
        if os.path.isabs(path):
            rel = os.path.relpath(path, cwd)
            if rel.startswith(".."):
                root = git_root(os.path.dirname(os.path.normpath(path)))
                rel = os.path.relpath(path, root) if root else os.path.basename(path)
            path = rel
        keys.append(path.replace(os.sep, "/") or "-")
    raw = ",".join(sorted(set(keys))) or "report"
    tag = re.sub(r"[^A-Za-z0-9._/=+,-]", "_", raw).replace(",", "+")
    tag = re.sub(r"-{2,}", "-", tag).strip("-") or "report"
    if len(tag) > 80:
        tag = "sha256-" + hashlib.sha256(raw.encode()).hexdigest()[:16]
    return tag


def read_report(path: str) -> dict:
    """The JSON report at `path` (or stdin for -); anything else is a one-line error."""
    import json

    where = "<stdin>" if path == "-" else path
    try:
        if path == "-":
            raw = sys.stdin.buffer.read(READ_LIMIT + 1)
        else:
            with open(path, "rb") as fh:
                raw = fh.read(READ_LIMIT + 1)
    except OSError as exc:
        raise CommentError(f"{where}: {exc.strerror or exc}") from None
    if len(raw) > READ_LIMIT:
        raise CommentError(f"{where}: larger than {READ_LIMIT // (1024 * 1024)} MiB")
    try:
        doc = json.loads(raw)
    except (ValueError, RecursionError):
        raise CommentError(f"{where}: not JSON (write it with `tfecs scan --format json --output FILE`)") from None
    if (
        not isinstance(doc, dict)
        or not isinstance(doc.get("tool"), dict)
        or doc["tool"].get("name") != "tfecs"
        or not isinstance(doc.get("findings"), list)
    ):
        raise CommentError(f"{where}: not a tfecs JSON report (write it with `tfecs scan --format json --output FILE`)")
    if doc.get("schema_version") != 1:
        raise CommentError(f"{where}: report schema_version {doc.get('schema_version')!r} is not one this tfecs reads (1)")
    summary = doc.get("summary")
    # The verdict comes from the summary: without one it is not understood (a body
    # saying "pass" for a report that does not say so would be a lie).
    if (
        not isinstance(summary, dict)
        or summary.get("exit_code") not in (0, 1, 2)
        or isinstance(summary.get("exit_code"), bool)
        or not all(isinstance(f, dict) for f in doc["findings"])
    ):
        raise CommentError(f"{where}: not a tfecs JSON report (no summary with an exit_code, or findings that are not objects)")
    return doc


def build_body(doc: dict, tag: str, max_chars: int) -> str:
    """The markdown rendering of the report with the marker line, within `max_chars`."""
    from .reporters.markdown import render_doc

    mark = marker(tag)
    body = render_doc(doc, tag=tag, max_chars=max_chars)
    if not has_marker(body, tag):
        body = mark + "\n" + render_doc(doc, tag=tag, max_chars=max_chars - len(mark) - 1)
    if len(body) > max_chars:  # the renderer's promise, kept here whatever happens
        note = "\n\n…(truncated to fit the comment size limit)\n"
        keep = max_chars - len(note) - len(mark) - 1
        lines = [ln for ln in body.splitlines(keepends=True) if ln.strip() != mark]
        body = mark + "\n" + "".join(lines)[:keep] + note
    return body


def _same(a: str, b: str) -> bool:
    def norm(s: str) -> str:
        return "\n".join(line.rstrip() for line in (s or "").replace("\r\n", "\n").strip().split("\n"))

    return norm(a) == norm(b)


# ----------------------------------------------------------------------------- the forges


class GitHub:
    name = "GitHub"

    def __init__(self, client: Client, repo: str, number: int, graphql_url: str):
        self.client = client
        self.repo = repo
        self.number = number
        self.graphql_url = graphql_url
        self._me: tuple[str, Any] | None = None

    def whoami(self) -> tuple[str, Any]:
        """('login', login) for a user token; ('bot', None) for an app/Actions token
        (GitHub answers 403 to /user for those: then only bot comments are candidates)."""
        from .httpclient import HttpError

        if self._me is None:
            try:
                r = self.client.request("GET", self.client.url("/user"))
                login = r.data.get("login") if isinstance(r.data, dict) else None
                self._me = ("login", login) if login else ("any", None)
            except HttpError as exc:
                if exc.status == 403 and not exc.rate_limited:
                    self._me = ("bot", None)
                else:
                    raise
        return self._me

    def list(self) -> list[Note]:
        from .httpclient import HttpError, next_link

        url = self.client.url(f"/repos/{self.repo}/issues/{self.number}/comments", {"per_page": 100})
        notes: list[Note] = []
        for _ in range(MAX_PAGES):
            r = self.client.request("GET", url)
            if not isinstance(r.data, list):
                raise HttpError(f"{self.client.host}: unexpected answer listing the comments")
            for c in r.data:
                if isinstance(c, dict) and isinstance(c.get("id"), int):
                    user = c.get("user") if isinstance(c.get("user"), dict) else {}
                    notes.append(
                        Note(c["id"], str(c.get("body") or ""), c.get("node_id"), user.get("login"), user.get("type"), c.get("html_url"))
                    )
            url = next_link(r.header("link"))
            if not url:
                return notes
        raise HttpError(f"{self.client.host}: more than {MAX_PAGES} pages of comments")

    def mine(self, note: Note) -> bool:
        kind, login = self.whoami()
        if kind == "login":
            return note.author == login
        if kind == "bot":
            return note.author_type == "Bot"
        return True

    def create(self, body: str) -> Note:
        r = self.client.request("POST", self.client.url(f"/repos/{self.repo}/issues/{self.number}/comments"), {"body": body})
        d = r.data if isinstance(r.data, dict) else {}
        return Note(d.get("id", 0), body, d.get("node_id"), url=d.get("html_url"))

    def update(self, note: Note, body: str) -> Note:
        r = self.client.request("PATCH", self.client.url(f"/repos/{self.repo}/issues/comments/{note.id}"), {"body": body})
        d = r.data if isinstance(r.data, dict) else {}
        return Note(note.id, body, note.node_id, url=d.get("html_url") or note.url)

    def delete(self, note: Note) -> None:
        self.client.request("DELETE", self.client.url(f"/repos/{self.repo}/issues/comments/{note.id}"))

    def _graphql(self, query: str, variables: dict) -> dict:
        from .httpclient import HttpError, _server_message

        r = self.client.request("POST", self.graphql_url, {"query": query, "variables": variables})
        data = r.data if isinstance(r.data, dict) else {}
        if data.get("errors"):
            err = data["errors"][0] if isinstance(data["errors"], list) and data["errors"] else {}
            raise HttpError(self.client.scrub(f"{self.client.host}: GraphQL error: {_server_message(err) or 'unknown'}"))
        return data.get("data") or {}

    def hide(self, notes: list[Note]) -> int:
        """Minimise (as outdated) the notes not minimised yet; the count minimised."""
        ids = [n.node_id for n in notes if n.node_id]
        if not ids:
            return 0
        hidden: set[str] = set()
        for i in range(0, len(ids), 100):
            data = self._graphql(
                "query($ids: [ID!]!) { nodes(ids: $ids) { ... on IssueComment { id isMinimized } } }",
                {"ids": ids[i : i + 100]},
            )
            hidden |= {n["id"] for n in data.get("nodes") or [] if isinstance(n, dict) and n.get("isMinimized")}
        count = 0
        for node_id in ids:
            if node_id in hidden:
                continue
            self._graphql(
                "mutation($id: ID!) { minimizeComment(input: {subjectId: $id, classifier: OUTDATED}) "
                "{ minimizedComment { isMinimized } } }",
                {"id": node_id},
            )
            count += 1
        return count


class GitLab:
    name = "GitLab"

    def __init__(self, client: Client, project: str, iid: int):
        import urllib.parse

        self.client = client
        self.project = project if project.isascii() and project.isdigit() else urllib.parse.quote(project, safe="")
        self.iid = iid
        self._me: Any = None

    def _notes_path(self) -> str:
        return f"/projects/{self.project}/merge_requests/{self.iid}/notes"

    def list(self) -> list[Note]:
        from .httpclient import HttpError

        notes: list[Note] = []
        page = "1"
        for _ in range(MAX_PAGES):
            r = self.client.request(
                "GET", self.client.url(self._notes_path(), {"per_page": 100, "page": page, "sort": "asc", "order_by": "created_at"})
            )
            if not isinstance(r.data, list):
                raise HttpError(f"{self.client.host}: unexpected answer listing the notes")
            for n in r.data:
                if isinstance(n, dict) and isinstance(n.get("id"), int) and not n.get("system"):
                    author = n.get("author") if isinstance(n.get("author"), dict) else {}
                    notes.append(Note(n["id"], str(n.get("body") or ""), author=author.get("id")))
            page = (r.header("x-next-page") or "").strip()
            if not page.isdigit():
                return notes
        raise HttpError(f"{self.client.host}: more than {MAX_PAGES} pages of notes")

    def mine(self, note: Note) -> bool:
        if self._me is None:
            r = self.client.request("GET", self.client.url("/user"))
            self._me = r.data.get("id") if isinstance(r.data, dict) else None
        return self._me is None or note.author == self._me

    def create(self, body: str) -> Note:
        r = self.client.request("POST", self.client.url(self._notes_path()), {"body": body})
        d = r.data if isinstance(r.data, dict) else {}
        return Note(d.get("id", 0), body)

    def update(self, note: Note, body: str) -> Note:
        self.client.request("PUT", self.client.url(f"{self._notes_path()}/{note.id}"), {"body": body})
        return Note(note.id, body)

    def delete(self, note: Note) -> None:
        self.client.request("DELETE", self.client.url(f"{self._notes_path()}/{note.id}"))

    def hide(self, notes: list[Note]) -> int:
        for n in notes:  # GitLab cannot collapse a note: hiding is deleting
            self.delete(n)
        return len(notes)


def post(forge: GitHub | GitLab, body: str, tag: str, behavior: str) -> str:
    """Apply `behavior`; a one-line account of what was done."""
    if behavior == "new":
        made = forge.create(body)
        return f"created a new comment{_at(made)}"
    ours = [n for n in forge.list() if has_marker(n.body, tag) and forge.mine(n)]
    if behavior == "update":
        if not ours:
            made = forge.create(body)
            return f"created the comment{_at(made)}"
        latest = ours[-1]
        if _same(latest.body, body):
            return f"the comment is unchanged, nothing written{_at(latest)}"
        made = forge.update(latest, body)
        return f"updated the comment{_at(made)}"
    made = forge.create(body)
    if behavior == "hide-and-new":
        n = forge.hide(ours)
        verb = "hid" if isinstance(forge, GitHub) else "deleted"
        return f"created a new comment{_at(made)} and {verb} {n} older one{'s' if n != 1 else ''}"
    for n in ours:
        forge.delete(n)
    return f"created a new comment{_at(made)} and deleted {len(ours)} older one{'s' if len(ours) != 1 else ''}"


def _at(note: Note) -> str:
    from .textsafe import escape_control

    return f": {escape_control(note.url)}" if note.url else ""


# ----------------------------------------------------------------------------- the CLI


def _fail(message: str, token: str | None) -> NoReturn:
    from .textsafe import escape_control

    if token:
        message = message.replace(token, "***")
    click.echo(f"tfecs: error: {escape_control(message)}", err=True)
    sys.exit(2)


def _run(make_forge, path: str, tag: str | None, behavior: str, token: str | None, max_chars: int, dry_run: bool) -> None:
    """Everything that can fail, failing as one line with the token scrubbed."""
    from .errors import TfecsError

    try:
        doc = read_report(path)
        tag = check_tag(tag) if tag else default_tag(doc)
        body = build_body(doc, tag, max_chars)
        if dry_run:
            click.echo(body, nl=not body.endswith("\n"))
            return
        forge = make_forge()
        click.echo(f"tfecs: {post(forge, body, tag, behavior)}")
    except (CommentError, TfecsError) as exc:
        _fail(str(exc), token)
    except Exception as exc:  # noqa: BLE001 - fail closed, and never let a traceback print the token
        _fail(f"internal error: {type(exc).__name__}: {exc} (please report this)", token)


_common = [
    click.option("--path", "path", required=True, metavar="FILE", help="The JSON report (`tfecs scan --format json --output FILE`), or - for stdin."),
    click.option("--dry-run", is_flag=True, help="Print the comment body instead of posting it (no token, no network)."),
    click.option("--behavior", type=click.Choice(BEHAVIORS), default="update", show_default=True, help="update: edit the comment in place; new: always post; hide-and-new / delete-and-new: post and hide / delete the older ones."),
    click.option("--tag", default=None, metavar="NAME", help="Key of the hidden marker that finds the comment again (one comment per tag; default: the report's input paths)."),
]


def _with_common(f):
    for opt in reversed(_common):
        f = opt(f)
    return f


@click.group("comment", short_help="Post the report as one sticky PR/MR comment (GitHub, GitLab).")
def comment() -> None:
    """Post the report as one sticky pull/merge request comment (infracost's interface)."""


@comment.command("github")
@_with_common
@click.option("--repo", required=True, envvar="GITHUB_REPOSITORY", metavar="OWNER/NAME", help="The repository (default: $GITHUB_REPOSITORY).")
@click.option("--pull-request", "number", required=True, type=click.IntRange(min=1), metavar="N", help="The pull request number.")
@click.option("--github-token", "token", envvar="GITHUB_TOKEN", metavar="TOKEN", help="A token allowed to write pull request comments (default: $GITHUB_TOKEN).")
@click.option("--github-api-url", "api_url", envvar="GITHUB_API_URL", default="https://api.github.com", metavar="URL", help="The REST API URL (GitHub Enterprise: https://HOST/api/v3; default: $GITHUB_API_URL or api.github.com).")
def comment_github(path, dry_run, behavior, tag, repo, number, token, api_url) -> None:
    """Post or update the report comment on a GitHub pull request."""
    from .httpclient import Client, check_base_url, check_token

    if not re.match(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", repo or ""):
        _fail("--repo: expected OWNER/NAME", token)

    def make() -> GitHub:
        if not token:
            raise CommentError("no GitHub token: pass --github-token or set GITHUB_TOKEN")
        tok = check_token(token, "GitHub token")
        base = check_base_url(api_url, "--github-api-url")
        graphql = base[: -len("/v3")] + "/graphql" if base.endswith("/api/v3") else base + "/graphql"
        client = Client(
            base,
            ("Authorization", f"Bearer {tok}"),
            tok,
            {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"},
        )
        return GitHub(client, repo, number, graphql)

    _run(make, path, tag, behavior, (token or "").strip() or None, GITHUB_MAX, dry_run)


@comment.command("gitlab")
@_with_common
@click.option("--repo", required=True, envvar="CI_PROJECT_PATH", metavar="GROUP/PROJECT", help="The project path or numeric id (default: $CI_PROJECT_PATH).")
@click.option("--merge-request", "number", required=True, type=click.IntRange(min=1), metavar="IID", help="The merge request IID.")
@click.option("--gitlab-token", "token", envvar="GITLAB_TOKEN", metavar="TOKEN", help="A token with api scope (default: $GITLAB_TOKEN; CI_JOB_TOKEN cannot post notes).")
@click.option("--gitlab-server-url", "server_url", envvar="CI_SERVER_URL", default="https://gitlab.com", metavar="URL", help="The GitLab server (default: $CI_SERVER_URL or gitlab.com).")
def comment_gitlab(path, dry_run, behavior, tag, repo, number, token, server_url) -> None:
    """Post or update the report note on a GitLab merge request."""
    from .httpclient import Client, check_base_url, check_token

    if not re.match(r"^([0-9]+|[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)+)$", repo or ""):
        _fail("--repo: expected GROUP/PROJECT (or the numeric project id)", token)

    def make() -> GitLab:
        if not token:
            raise CommentError("no GitLab token: pass --gitlab-token or set GITLAB_TOKEN")
        tok = check_token(token, "GitLab token")
        base = check_base_url(server_url, "--gitlab-server-url")
        return GitLab(Client(base + "/api/v4", ("PRIVATE-TOKEN", tok), tok), repo, number)

    _run(make, path, tag, behavior, (token or "").strip() or None, GITLAB_MAX, dry_run)
