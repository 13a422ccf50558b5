"""A small JSON-over-HTTPS client for the forge APIs `tfecs comment` talks to (stdlib only).

What it guarantees, because its output lands in CI logs and its token is a credential:
- the token is sent in a header only, never in a URL, never to another origin (redirects
  are not followed, pagination links must stay on the API's origin), never over plain
  http except to a loopback address, and never appears in an error message;
- every request has a timeout; 5xx answers, rate limits and network errors are retried a
  bounded number of times, waiting what `Retry-After` (or GitHub's `X-RateLimit-Reset`)
  asks when that is within `MAX_WAIT`, else giving up at once;
- every failure is an `HttpError` whose message is one line naming the host and the
  HTTP status.
"""

from __future__ import annotations

import email.utils
import ipaddress
import json
import re
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Callable

from .errors import TfecsError
from .textsafe import escape_control

TIMEOUT = 30.0  # seconds per request
ATTEMPTS = 3  # one request and two retries
MAX_WAIT = 60.0  # the longest tfecs waits before a retry; a longer Retry-After gives up
BACKOFF = (0.5, 1.5)  # waits before retries when the server names none
MAX_BODY = 32 * 1024 * 1024  # bytes read from one answer
# TIMEOUT bounds each socket read, not an answer: a server that drips a byte every few
# seconds would hold the run for ever. Reading a body stops at this many seconds.
BODY_DEADLINE = 60.0
RETRY_STATUS = {500, 502, 503, 504, 429}

_HEADER_SAFE = re.compile(r"^[\x21-\x7e]+$")
# ASCII digits only: a header is read as latin-1, where byte 0xb2 is "²" (isdigit() but
# not a number float() reads).
_DIGITS = re.compile(r"[0-9]+\Z")


class HttpError(TfecsError):
    """A failed API call; `status` is None for network errors."""

    def __init__(self, message: str, status: int | None = None, *, rate_limited: bool = False):
        super().__init__(message)
        self.status = status
        self.rate_limited = rate_limited


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    data: Any

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect would carry the Authorization header elsewhere: answer it as an error."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: D401
        return None


def check_token(token: str, what: str) -> str:
    """The token stripped; refused (without echoing it) when it cannot be a header value."""
    token = token.strip()
    if not token:
        raise HttpError(f"the {what} is empty")
    if not _HEADER_SAFE.match(token):
        raise HttpError(f"the {what} contains characters an HTTP header cannot carry (spaces, newlines or non-ASCII)")
    return token


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_base_url(url: str, what: str) -> str:
    """An http(s) API base URL without query or fragment; http only to a loopback host."""
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise HttpError(f"{what} must be an https:// URL, got {escape_control(url)!r}")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise HttpError(f"{what}: refusing to send a token over plain http to {parts.hostname} (use https://)")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise HttpError(f"{what} must not carry a query, a fragment or credentials")
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))


def retry_wait(headers: dict[str, str], now: Callable[[], float] = time.time) -> float | None:
    """Seconds the server asks to wait (Retry-After as seconds or an HTTP date, or
    GitHub's exhausted X-RateLimit-Reset), or None when it names no time."""
    value = headers.get("retry-after")
    if value is not None:
        value = value.strip()
        if _DIGITS.match(value):
            return float(value)
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:
            return None
        return max(0.0, when.timestamp() - now())
    if headers.get("x-ratelimit-remaining") == "0":
        reset = headers.get("x-ratelimit-reset", "")
        if _DIGITS.match(reset):
            return max(0.0, float(reset) - now())
    return None


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _server_message(data: Any) -> str:
    """The API's own one-line explanation (GitHub `message`, GitLab `message`/`error`)."""
    msg = None
    if isinstance(data, dict):
        msg = data.get("message") or data.get("error")
        if isinstance(msg, (dict, list)):
            msg = json.dumps(msg)[:200]
    if not isinstance(msg, str) or not msg.strip():
        return ""
    msg = escape_control(msg.strip())
    return msg if len(msg) <= 200 else msg[:199] + "…"


@dataclass
class Client:
    """JSON requests to one API origin with one token header."""

    base_url: str
    auth_header: tuple[str, str]
    token: str
    extra_headers: dict[str, str] = field(default_factory=dict)
    timeout: float = TIMEOUT
    attempts: int = ATTEMPTS
    max_wait: float = MAX_WAIT
    body_deadline: float = BODY_DEADLINE
    sleep: Callable[[float], None] = time.sleep
    calls: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        parts = urllib.parse.urlsplit(self.base_url)
        self.origin = (parts.scheme, parts.netloc.lower())
        self.host = parts.hostname or parts.netloc
        self._opener = urllib.request.build_opener(_NoRedirect())

    def url(self, path: str, query: dict[str, Any] | None = None) -> str:
        url = self.base_url + path
        if query:
            url += "?" + urllib.parse.urlencode(query)
        return url

    def scrub(self, text: str) -> str:
        return text.replace(self.token, "***") if self.token else text

    def request(self, method: str, url: str, body: Any = None) -> Response:
        parts = urllib.parse.urlsplit(url)
        if (parts.scheme, parts.netloc.lower()) != self.origin:
            raise HttpError(f"{self.host}: refusing to follow a link to another origin ({escape_control(parts.netloc)})")
        data = None if body is None else json.dumps(body).encode()
        headers = {
            "Accept": "application/json",
            "User-Agent": _user_agent(),
            **self.extra_headers,
            self.auth_header[0]: self.auth_header[1],
        }
        if data is not None:
            headers["Content-Type"] = "application/json"
        last = ""
        for attempt in range(1, self.attempts + 1):
            final = attempt == self.attempts
            req = urllib.request.Request(url, data=data, method=method, headers=headers)
            self.calls.append((method, parts.path))
            try:
                with self._opener.open(req, timeout=self.timeout) as resp:
                    return Response(resp.status, _lower(resp.headers), _parse(_read_body(resp, self.host, self.body_deadline), self.host))
            except urllib.error.HTTPError as exc:
                status = exc.code
                hdrs = _lower(exc.headers)
                try:
                    payload = _parse(_read_body(exc, self.host, self.body_deadline), self.host)
                except HttpError:
                    payload = None
                finally:
                    exc.close()
                rate_limited = status == 429 or (status == 403 and ("retry-after" in hdrs or hdrs.get("x-ratelimit-remaining") == "0"))
                line = f"{self.host}: HTTP {status} {_reason(status)}".rstrip()
                detail = _server_message(payload)
                if detail:
                    line += f": {detail}"
                if rate_limited or status in RETRY_STATUS:
                    wait = retry_wait(hdrs)
                    if wait is not None and wait > self.max_wait:
                        raise HttpError(self.scrub(f"{line} (the server asks to wait {wait:.0f} s, more than the {self.max_wait:.0f} s tfecs waits)"), status, rate_limited=rate_limited) from None
                    if not final:
                        self.sleep(wait if wait is not None else BACKOFF[min(attempt - 1, len(BACKOFF) - 1)])
                        continue
                    raise HttpError(self.scrub(f"{line} (after {self.attempts} attempts)"), status, rate_limited=rate_limited) from None
                if 300 <= status < 400:
                    line += " (redirects are not followed: check the URL and the repository name)"
                elif status == 401:
                    line += " (check the token)"
                elif status in (403, 404):
                    line += " (check the repository, the number and the token's permissions)"
                raise HttpError(self.scrub(line), status) from None
            except (urllib.error.URLError, socket.timeout, TimeoutError, ConnectionError, OSError) as exc:
                reason = getattr(exc, "reason", exc)
                last = escape_control(f"{type(reason).__name__}: {reason}" if str(reason) else type(reason).__name__)
                if not final:
                    self.sleep(BACKOFF[min(attempt - 1, len(BACKOFF) - 1)])
                    continue
                raise HttpError(self.scrub(f"{self.host}: cannot reach the API ({last}) after {self.attempts} attempts")) from None
        raise HttpError(self.scrub(f"{self.host}: request failed ({last})"))  # pragma: no cover - loop always returns


def _read_body(resp, host: str, deadline: float) -> bytes:
    """At most MAX_BODY + 1 bytes of an answer, read within `deadline` seconds in all."""
    end = time.monotonic() + deadline
    read = getattr(resp, "read1", None) or resp.read
    chunks: list[bytes] = []
    size = 0
    while size <= MAX_BODY:
        if time.monotonic() > end:
            raise HttpError(f"{host}: the answer took longer than {deadline:.0f} s to arrive")
        chunk = read(min(65536, MAX_BODY + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _lower(headers) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()} if headers is not None else {}


def _parse(raw: bytes, host: str) -> Any:
    if len(raw) > MAX_BODY:
        raise HttpError(f"{host}: the answer is larger than {MAX_BODY // (1024 * 1024)} MiB")
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except ValueError:
        raise HttpError(f"{host}: the answer is not JSON") from None


def _user_agent() -> str:
    from . import __version__

    return f"tfecs/{__version__} (+https://github.com/tfecs/tfecs)"


def next_link(link_header: str | None) -> str | None:
    """The `rel="next"` URL of an RFC 8288 Link header (GitHub pagination)."""
    if not link_header:
        return None
    for part in link_header.split(","):
        m = re.match(r'\s*<([^>]*)>\s*;(.*)', part)
        if m and re.search(r'\brel\s*=\s*"?next"?', m.group(2)):
            return m.group(1)
    return None
