"""A real HTTP server on 127.0.0.1 implementing the slice of the GitHub and GitLab APIs
`tfecs comment` uses, with state a test can read and faults it can inject.

GitHub: GET /user; GET/POST /repos/O/R/issues/N/comments (per_page, page, Link rel=next);
PATCH/DELETE /repos/O/R/issues/comments/ID; POST /graphql (nodes isMinimized, minimizeComment).
GitLab: GET /api/v4/user; GET/POST /api/v4/projects/ID/merge_requests/IID/notes (per_page,
page, X-Next-Page); PUT/DELETE …/notes/ID. Tokens are checked like the real APIs: a wrong
one answers 401.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Fault:
    """Answer the next `times` requests matching method and path regex with `status`."""

    method: str
    path: str
    status: int
    headers: dict = field(default_factory=dict)
    times: int = 1
    body: dict = field(default_factory=lambda: {"message": "injected"})


class Forge:
    def __init__(self, github_token: str = "ghp_good", gitlab_token: str = "glpat-good"):
        self.github_token = github_token
        self.gitlab_token = gitlab_token
        self.github_login = "tfecs-bot"
        self.gitlab_user_id = 7
        self.comments: dict[int, dict] = {}  # GitHub issue comments by id
        self.notes: dict[int, dict] = {}  # GitLab notes by id
        self.next_id = 1000
        self.log: list[tuple[str, str]] = []  # (method, path) of every request
        self.faults: list[Fault] = []
        self.lock = threading.Lock()
        forge = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _answer(self, status, data=None, headers=None):
                raw = b"" if data is None else json.dumps(data).encode()
                self.send_response(status)
                for k, v in (headers or {}).items():
                    self.send_header(k, str(v))
                if data is not None:
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                payload = json.loads(self.rfile.read(length)) if length else None
                with forge.lock:
                    forge.log.append((self.command, urlsplit(self.path).path))
                    for fault in forge.faults:
                        if fault.times > 0 and fault.method == self.command and re.search(fault.path, self.path):
                            fault.times -= 1
                            return self._answer(fault.status, fault.body, fault.headers)
                    status, data, headers = forge.route(self.command, self.path, self.headers, payload)
                self._answer(status, data, headers)

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    # ------------------------------------------------------------------ state helpers

    def writes(self) -> list[tuple[str, str]]:
        """REST calls that change something (GraphQL minimising is read from the comments)."""
        return [(m, p) for m, p in self.log if m != "GET" and p != "/graphql"]

    def add_comment(self, body: str, login: str | None = None, user_type: str = "Bot") -> int:
        self.next_id += 1
        cid = self.next_id
        self.comments[cid] = {
            "id": cid,
            "node_id": f"IC_{cid}",
            "body": body,
            "user": {"login": login or self.github_login, "type": user_type},
            "html_url": f"https://github.example/o/r/pull/1#issuecomment-{cid}",
            "minimized": False,
        }
        return cid

    def add_note(self, body: str, author_id: int | None = None, system: bool = False) -> int:
        self.next_id += 1
        nid = self.next_id
        self.notes[nid] = {"id": nid, "body": body, "author": {"id": author_id or self.gitlab_user_id}, "system": system}
        return nid

    # ------------------------------------------------------------------ routing

    def route(self, method, raw_path, headers, payload):
        parts = urlsplit(raw_path)
        path, query = parts.path, parse_qs(parts.query)
        if path.startswith("/api/v4/"):
            if headers.get("PRIVATE-TOKEN") != self.gitlab_token:
                return 401, {"message": "401 Unauthorized"}, {}
            return self.gitlab(method, path[len("/api/v4") :], query, payload, headers)
        if headers.get("Authorization") != f"Bearer {self.github_token}":
            return 401, {"message": "Bad credentials"}, {}
        # GitHub Enterprise Server: REST under /api/v3, GraphQL at /api/graphql
        if path.startswith("/api/v3/"):
            path = path[len("/api/v3") :]
        elif path == "/api/graphql":
            path = "/graphql"
        return self.github(method, path, query, payload, headers)

    def github(self, method, path, query, payload, headers):
        if path == "/user" and method == "GET":
            if self.github_token.startswith("ghs_"):
                return 403, {"message": "Resource not accessible by integration"}, {}
            return 200, {"login": self.github_login}, {}
        if path == "/graphql" and method == "POST":
            q = payload["query"]
            if "nodes(ids" in q:
                nodes = []
                for nid in payload["variables"]["ids"]:
                    c = next((c for c in self.comments.values() if c["node_id"] == nid), None)
                    nodes.append({"id": nid, "isMinimized": c["minimized"]} if c else None)
                return 200, {"data": {"nodes": nodes}}, {}
            if "minimizeComment" in q:
                assert "OUTDATED" in q
                nid = payload["variables"]["id"]
                c = next((c for c in self.comments.values() if c["node_id"] == nid), None)
                if c is None:
                    return 200, {"data": None, "errors": [{"message": "Could not resolve to a node"}]}, {}
                c["minimized"] = True
                return 200, {"data": {"minimizeComment": {"minimizedComment": {"isMinimized": True}}}}, {}
            return 200, {"errors": [{"message": "unknown query"}]}, {}
        m = re.fullmatch(r"/repos/([^/]+)/([^/]+)/issues/(\d+)/comments", path)
        if m:
            if method == "GET":
                per_page = min(int(query.get("per_page", ["30"])[0]), 100)
                page = int(query.get("page", ["1"])[0])
                items = sorted(self.comments.values(), key=lambda c: c["id"])
                chunk = items[(page - 1) * per_page : page * per_page]
                hdrs = {}
                if page * per_page < len(items):
                    host = headers.get("Host")
                    hdrs["Link"] = (
                        f'<http://{host}{path}?per_page={per_page}&page={page + 1}>; rel="next", '
                        f'<http://{host}{path}?per_page={per_page}&page=1>; rel="first"'
                    )
                return 200, [{k: v for k, v in c.items() if k != "minimized"} for c in chunk], hdrs
            if method == "POST":
                cid = self.add_comment(payload["body"])
                return 201, self.comments[cid], {}
        m = re.fullmatch(r"/repos/([^/]+)/([^/]+)/issues/comments/(\d+)", path)
        if m:
            cid = int(m.group(3))
            if cid not in self.comments:
                return 404, {"message": "Not Found"}, {}
            if method == "PATCH":
                self.comments[cid]["body"] = payload["body"]
                return 200, self.comments[cid], {}
            if method == "DELETE":
                del self.comments[cid]
                return 204, None, {}
        return 404, {"message": "Not Found"}, {}

    def gitlab(self, method, path, query, payload, headers):
        if path == "/user" and method == "GET":
            return 200, {"id": self.gitlab_user_id, "username": "tfecs-bot"}, {}
        m = re.fullmatch(r"/projects/([^/]+)/merge_requests/(\d+)/notes(?:/(\d+))?", path)
        if not m:
            return 404, {"message": "404 Not Found"}, {}
        nid = int(m.group(3)) if m.group(3) else None
        if nid is None and method == "GET":
            per_page = min(int(query.get("per_page", ["20"])[0]), 100)
            page = int(query.get("page", ["1"])[0])
            items = sorted(self.notes.values(), key=lambda n: n["id"])
            chunk = items[(page - 1) * per_page : page * per_page]
            more = page * per_page < len(items)
            return 200, chunk, {"X-Next-Page": str(page + 1) if more else "", "X-Page": str(page)}
        if nid is None and method == "POST":
            new = self.add_note(payload["body"])
            return 201, self.notes[new], {}
        if nid not in self.notes:
            return 404, {"message": "404 Not found"}, {}
        if method == "PUT":
            self.notes[nid]["body"] = payload["body"]
            return 200, self.notes[nid], {}
        if method == "DELETE":
            del self.notes[nid]
            return 204, None, {}
        return 405, {"message": "405 Method Not Allowed"}, {}
