"""The secret-format patterns begin with their literal and check the character before it
by a lookbehind placed after it (fast: the engine skips to the literal). Each must find
exactly the spans of the plain form it replaced, `(?<!CLASS)LITERAL...`, kept here as
the oracle."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from tfecs.model import secretscan

# (the pattern as written before the reordering, the pattern in use now)
ORACLES = [
    (r"(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])", dict(secretscan._FORMATS)["AWS access key id"]),
    (r"(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})", dict(secretscan._FORMATS)["GitHub token"]),
    (r"(?<![A-Za-z0-9])xox[abposr]-[A-Za-z0-9-]{10,}", dict(secretscan._FORMATS)["Slack token"]),
    (r"(?<![A-Za-z0-9])(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,}", dict(secretscan._FORMATS)["Stripe secret key"]),
    (r"(?<![A-Za-z0-9])AIza[0-9A-Za-z_-]{35}", dict(secretscan._FORMATS)["Google API key"]),
    (r"(?<![A-Za-z0-9])glpat-[0-9A-Za-z_-]{20,}", dict(secretscan._FORMATS)["GitLab token"]),
    (r"(?<![A-Za-z0-9])npm_[A-Za-z0-9]{36}", dict(secretscan._FORMATS)["npm token"]),
    (r"(?<![A-Za-z0-9])SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}", dict(secretscan._FORMATS)["SendGrid API key"]),
    (r"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*", dict(secretscan._FORMATS)["JWT"]),
    (r"(?<![A-Za-z])Basic\s+([A-Za-z0-9+/]{8,}={0,2})(?![A-Za-z0-9+/=])", secretscan._BASIC),
    (r"(?<![A-Za-z])Bearer\s+[A-Za-z0-9._~+/-]{16,}=*", secretscan._BEARER),
    (r"(?<=://)[^/\s:@]{1,256}:([^/\s@]{1,512})@", secretscan._SPANS[-2]),
]

# Pieces that build texts near every pattern's edges: the literals, characters the
# lookbehinds forbid or allow, and runs long enough to complete a match.
PIECES = [
    "AKIA", "ASIA", "ghp_", "gho_", "github_pat_", "xoxb-", "sk_live_", "rk_test_", "AIza", "glpat-", "npm_", "SG.",
    "eyJ", ".", "Basic ", "Bearer ", "Basic", "Bearer", "://", "user:", "@", ":", "/", "_", "-", "=", " ", "\n", "a", "Z", "9",
    "ABCDEFGHIJKLMNOP", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ", "0123456789abcdefghij", "x" * 43, "Q" * 22,
]


def spans(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    return [m.span(1) if m.re.groups else m.span() for m in pattern.finditer(text)]


def test_the_oracles_name_the_patterns_in_use() -> None:
    in_use = {p.pattern for _, p in secretscan._FORMATS} | {p.pattern for p in secretscan._SPANS} | {secretscan._BASIC.pattern}
    assert all(new.pattern in in_use for _, new in ORACLES)
    # No pattern in use still begins with a lookbehind but the one kept on purpose (its
    # match begins with a character class: nothing to skip to).
    leading = [p.pattern for p in (*(p for _, p in secretscan._FORMATS), *secretscan._SPANS) if p.pattern.startswith("(?<")]
    assert leading == [r"(?<![\w.:/@-])[\w.-]{1,256}:([^\s@/:]{1,512})@(?=[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}(?::\d{1,5})?/)"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=24))
def test_reordered_patterns_find_the_same_spans(pieces: list[str]) -> None:
    text = "".join(pieces)
    for old, new in ORACLES:
        assert spans(re.compile(old), text) == spans(new, text), (old, text)


def test_known_tokens_still_masked_and_look_alikes_not() -> None:
    token = "ghp_" + "A1b2C3d4" * 5
    assert secretscan.mask_secrets(f"image: x/{token}", "***") == "image: x/***"
    assert secretscan.mask_secrets(f"xghp_{'A1b2C3d4' * 5}", "***") == f"xghp_{'A1b2C3d4' * 5}"  # glued to a word
    assert secretscan.mask_secrets("Authorization: Bearer abcdefghijklmnop123", "***") == "Authorization: ***"
    assert secretscan.mask_secrets("https://bob:hunter2@example.com/x", "***") == "https://bob:***@example.com/x"
    assert secretscan.secret_format("AKIAABCDEFGHIJKLMNOP") == "AWS access key id"
    assert secretscan.secret_format("XAKIAABCDEFGHIJKLMNOP") is None


LITERALS = ["AKIA", "ASIA", "ghp_", "github_pat_", "xoxb-", "sk_live_", "rk_test_", "AIza", "glpat-", "npm_", "SG.", "eyJ", "Basic ", "Bearer ", "://u:"]
BODIES = ["ABCDEFGHIJKLMNOP", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ", "A" * 22 + "." + "b" * 43, "abcdefgh.eyJabcdefgh.sig", "pw@host/x", "QUJDOmRlZg=="]


def test_every_edge_of_every_literal() -> None:
    """Each literal after every kind of character (start of text, letter, digit, `_`, `-`,
    `/`, space), followed by each body and end: the plain form is the oracle."""
    compiled = [(re.compile(old), new) for old, new in ORACLES]
    for before in ("", "a", "Z", "7", "_", "-", "/", " ", "."):
        for literal in LITERALS:
            for body in BODIES:
                for after in ("", "x", "=", " "):
                    text = before + literal + body + after
                    for old, new in compiled:
                        assert spans(old, text) == spans(new, text), (old.pattern, text)
