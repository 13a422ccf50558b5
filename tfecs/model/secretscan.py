"""Tell secrets from look-alikes in configuration values (environment variables, labels,
parameter names).

Three questions, asked in this order by `classify(name, value)`:

1. Is the value in a format only secrets have (AWS key pair, GitHub/Slack/Stripe tokens,
   a PEM private key, a JWT, credentials inside a URL)? Then it is a secret, whatever the
   name says.
2. Is the value a reference or a setting rather than a secret: an ARN, a path, a secret
   *name* (`app/db`), a URL without credentials, a number, a boolean, an interpolation
   left for later (`${DB_PASSWORD}`)? Then it is not.
3. Does the name say it holds a secret (`DB_PASSWORD`, `apiKey`, `/app/api_token`), or
   is the value a long random-looking string (Shannon entropy)? Then it is.

A name says it holds a secret when its last word (after dropping environment/version
suffixes such as `_PROD` or `_2`) is a secret noun: `PASSWORD_MIN_LENGTH`,
`TOKEN_TTL_SECONDS` and `DB_PASSWORD_SECRET_NAME` end in a setting, not a secret.

Nothing here returns or formats the value: callers get the kind of secret, never the text.
"""

from __future__ import annotations

import base64
import binascii
import functools
import math
import re
from collections import Counter
from urllib.parse import parse_qsl, urlsplit

# Words a secret's name ends with.
SECRET_NOUNS = frozenset(
    {
        "PASSWORD", "PASSWD", "PASS", "PWD", "PASSPHRASE", "PASSCODE", "SECRET", "SECRETS",
        "TOKEN", "TOKENS", "APIKEY", "CREDENTIAL", "CREDENTIALS", "CREDS", "SALT", "PEPPER",
        "PRIVATEKEY", "SECRETKEY", "ACCESSKEY",
    }
)
# "<qualifier> KEY" ends a secret's name (API_KEY, PRIVATE_KEY, AWS_SECRET_ACCESS_KEY);
# a bare KEY (CACHE_KEY, S3_KEY) does not.
KEY_QUALIFIERS = frozenset(
    {
        "API", "PRIVATE", "ACCESS", "SECRET", "SIGNING", "SIGNATURE", "ENCRYPTION", "ENCRYPT",
        "DECRYPTION", "CRYPT", "MASTER", "SESSION", "AUTH", "CLIENT", "APP", "APPLICATION",
        "LICENSE", "LICENCE", "HMAC", "SSH", "RSA", "TLS", "SSL", "GPG", "PGP", "CONSUMER",
        "WEBHOOK", "SERVICE", "ADMIN",
    }
)
# Two-word endings that name a secret without a secret noun.
SECRET_PAIRS = frozenset({("BASIC", "AUTH"), ("AUTH", "DATA"), ("KEY", "ID"), ("KEY", "BASE")})  # Rails' SECRET_KEY_BASE
# Names AWS Security Hub (ECS.8) treats as secrets whatever their value.
ECS8_NAMES = frozenset({"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "ECS_ENGINE_AUTH_DATA"})
# Suffixes that qualify a secret's name without changing what it holds (DB_PASSWORD_PROD).
_QUALIFIERS = frozenset(
    {
        "PROD", "PRODUCTION", "DEV", "DEVELOPMENT", "STAGING", "STAGE", "TEST", "QA", "UAT",
        "LIVE", "SANDBOX", "OLD", "NEW", "PRIMARY", "SECONDARY", "CURRENT", "PREVIOUS", "NEXT",
        "BACKUP", "RAW", "PLAIN", "PLAINTEXT", "VALUE", "B64", "BASE64", "ENCODED", "HEX",
        "FALLBACK", "DEFAULT",
    }
)
_VERSION = re.compile(r"^(V?\d+)$")
_WORD = re.compile(r"[A-Z]+\d*(?![a-z])|[A-Z]?[a-z]+\d*|\d+")


def name_words(name: str) -> list[str]:
    """`dbPassword` / `DB_PASSWORD` / `/app/db-password` -> ["DB", "PASSWORD"]."""
    return [w.upper() for w in _WORD.findall(name or "")]


def is_secret_name(name: str | None) -> bool:
    """The name says its value is a secret (the last meaningful word is a secret noun)."""
    if not name:
        return False
    if name.upper() in ECS8_NAMES:
        return True
    if name.upper() == "PWD":  # the shell's working directory
        return False
    words = name_words(name)
    while words and (words[-1] in _QUALIFIERS or _VERSION.match(words[-1])):
        words.pop()
    if not words:
        return False
    last = words[-1].rstrip("0123456789") or words[-1]  # TOKEN2 -> TOKEN
    if last in SECRET_NOUNS:
        return True
    if len(words) >= 2:
        pair = (words[-2], last)
        if last in ("KEY", "KEYS") and words[-2] in KEY_QUALIFIERS:  # APP_KEYS (Strapi), API_KEYS
            return True
        if pair in SECRET_PAIRS and (pair != ("KEY", "ID") or (len(words) >= 3 and words[-3] == "ACCESS")):
            return True
    return False


_SECRET_PHRASE = re.compile(
    r"\b(pass(word|wd|phrase)|secret|token|api[ _-]?key|private[ _-]?key|access[ _-]?key|credentials?)\b",
    re.IGNORECASE,
)
_REFERENCE_PHRASE = re.compile(
    r"\b(arn|name|id|identifier|url|uri|path|endpoint|policy|length|ttl|expir\w*|rotation|timeout|region)\b",
    re.IGNORECASE,
)


def is_secret_description(text: str | None) -> bool:
    """Free text (a description) that says the thing holds a secret, and does not say it
    holds a reference to one ("the ARN of the DB secret")."""
    if not text:
        return False
    return bool(_SECRET_PHRASE.search(text)) and not _REFERENCE_PHRASE.search(text)


# Formats only secrets have. Each: (kind, pattern).
# Each begins with its literal and checks the character before it by a lookbehind after
# it (`xox(?<![A-Za-z0-9]xox)`, not `(?<![A-Za-z0-9])xox`): the same matches, but the
# regex engine then skips to the literal instead of trying the pattern at every position
# (a report's text is scanned with all of them: 5 ms each per 360 KB, now 0.1 ms).
_FORMATS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("private key block", re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")),
    ("AWS access key id", re.compile(r"A[KS]IA(?<![A-Z0-9]A[KS]IA)[A-Z0-9]{16}(?![A-Z0-9])")),
    ("GitHub token", re.compile(r"g(?<![A-Za-z0-9_]g)(?:h[pousr]_[A-Za-z0-9]{36,}|ithub_pat_[A-Za-z0-9_]{22,})")),
    ("Slack token", re.compile(r"xox(?<![A-Za-z0-9]xox)[abposr]-[A-Za-z0-9-]{10,}")),
    ("Slack webhook URL", re.compile(r"hooks\.slack\.com/services/T[A-Z0-9]+/B[A-Z0-9]+/[A-Za-z0-9]+")),
    ("Stripe secret key", re.compile(r"[sr]k_(?<![A-Za-z0-9][sr]k_)(?:live|test)_[A-Za-z0-9]{10,}")),
    ("Google API key", re.compile(r"AIza(?<![A-Za-z0-9]AIza)[0-9A-Za-z_-]{35}")),
    ("GitLab token", re.compile(r"glpat-(?<![A-Za-z0-9]glpat-)[0-9A-Za-z_-]{20,}")),
    ("npm token", re.compile(r"npm_(?<![A-Za-z0-9]npm_)[A-Za-z0-9]{36}")),
    ("SendGrid API key", re.compile(r"SG\.(?<![A-Za-z0-9]SG\.)[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}")),
    ("JWT", re.compile(r"eyJ(?<![A-Za-z0-9_-]eyJ)[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*")),
    # Bounded runs: with `+` each of many `jdbc:oracle:` starts would scan to the end of a long value.
    ("connection string with a password", re.compile(r"jdbc:oracle:[a-z]{1,32}:[^/@:\s]{1,256}/[^@\s]{1,1024}@", re.IGNORECASE)),
    ("registry credentials", re.compile(r'"auths?"\s*:\s*\{?\s*(?:"[^"]*"\s*:\s*\{\s*)?"?auth"?\s*:\s*"[A-Za-z0-9+/=]{8,}"')),
)
# HTTP credentials: `Basic <base64 of user:password>` or a `Bearer` token.
_BASIC = re.compile(r"Basic(?<![A-Za-z]Basic)\s+([A-Za-z0-9+/]{8,}={0,2})(?![A-Za-z0-9+/=])")
_BEARER = re.compile(r"Bearer(?<![A-Za-z]Bearer)\s+[A-Za-z0-9._~+/-]{16,}=*")
# An AWS secret access key: 40 base64 characters, standing alone.
_AWS_SECRET_KEY = re.compile(r"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])")
# A password inside a connection string: `Password=...;` / `pwd=...`.
_CONN_PASSWORD = re.compile(r"(?:^|[;\s?&])(?:password|pwd|passwd)\s*=\s*[^;&\s]+", re.IGNORECASE)

_ARN = re.compile(r"^arn:aws[a-z-]*:", re.IGNORECASE)
_PATH = re.compile(r"^(?:/|\./|\.\./|~/|file://)[\w.@:%+~/{}$-]*$")
# A secret or parameter *name*: hierarchical words (`app/db`, `prod/db-password`).
_SECRET_REF = re.compile(r"^[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.+=@-]+)+$")
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?[a-z]{0,2}$")
_BOOLEANS = frozenset({"true", "false", "yes", "no", "on", "off", "enabled", "disabled", "none", "null", "nil"})
_PLACEHOLDER = re.compile(r"^(?:\$\{[^}]+\}|\$\([^)]+\)|\$[A-Za-z_][A-Za-z0-9_]*|\{\{.+\}\}|\*+)$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_DIGEST = re.compile(r"^(?:sha\d+|md5):[0-9a-f]+$", re.IGNORECASE)
_EMBEDDED_DIGEST = re.compile(r"(?:sha\d+|md5):[0-9a-f]{32,}", re.IGNORECASE)
_URL = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)

# Long random-looking runs. Thresholds measured on random strings: 32 base64 characters
# have 4.56 bits/char on average (99% above 4.2) and change character class at 64% of
# positions (99.9% above 30%); 32 hex digits have 3.6 bits/char (99% above 3.3).
_RUN = re.compile(r"[A-Za-z0-9+/=_-]{20,}")
BASE64_MIN_LEN, BASE64_MIN_ENTROPY, CLASS_CHANGE_MIN_RATE = 32, 4.2, 0.3
HEX_MIN_LEN, HEX_MIN_ENTROPY = 32, 3.3


def shannon_entropy(text: str) -> float:
    """Bits per character."""
    if not text:
        return 0.0
    n = len(text)
    return -sum(c / n * math.log2(c / n) for c in Counter(text).values())


def secret_format(value: str) -> str | None:
    """The kind of secret the value's format reveals, whatever it is called."""
    for kind, pattern in _FORMATS:
        if pattern.search(value):
            return kind
    if _BEARER.search(value) or any(_is_basic_credential(m.group(1)) for m in _BASIC.finditer(value)):
        return "HTTP credentials"
    for m in _AWS_SECRET_KEY.finditer(value):
        if _looks_random(m.group(0)):
            return "AWS secret access key"
    if _URL.match(value):
        return _url_secret(value)
    if _CONN_PASSWORD.search(value):
        return "connection string with a password"
    return None


def _is_basic_credential(encoded: str) -> bool:
    try:
        decoded = base64.b64decode(encoded, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return False
    return ":" in decoded and decoded.isprintable()


def _looks_random(token: str) -> bool:
    """Mixed-case letters and digits, high entropy, and the character class changing
    often: random base64 does, CamelCaseIdentifiers2024 (long words) do not."""
    if not (any(c.isupper() for c in token) and any(c.islower() for c in token) and any(c.isdigit() for c in token)):
        return False
    if shannon_entropy(token) < BASE64_MIN_ENTROPY:
        return False
    changes = sum(_char_class(a) != _char_class(b) for a, b in zip(token, token[1:]))
    return changes / (len(token) - 1) >= CLASS_CHANGE_MIN_RATE


def _char_class(c: str) -> int:
    return 0 if c.isupper() else 1 if c.islower() else 2 if c.isdigit() else 3


def _url_secret(value: str) -> str | None:
    try:
        parts = urlsplit(value)
        password = parts.password
    except ValueError:
        return None
    if password:
        return "URL with an embedded password"
    for key, val in parse_qsl(parts.query):
        if val and is_secret_name(key):
            return "URL with a credential in its query"
    return None


def is_reference(value: str) -> bool:
    """The value points at a secret or is a setting, not a secret itself."""
    text = value.strip()
    if not text:
        return True
    lowered = text.lower()
    return bool(
        lowered in _BOOLEANS
        or _NUMBER.match(text)
        or _ARN.match(text)
        or _PLACEHOLDER.match(text)
        or _UUID.match(text)
        or _DIGEST.match(text)
        or _URL.match(text)  # credentials in URLs are caught by secret_format first
        or (_PATH.match(text) and not _random(text))
        or (_SECRET_REF.match(text) and not _random(text))
    )


def _random(text: str) -> str | None:
    """'high-entropy string' when some long run of the text looks random (content
    digests such as an image's `@sha256:...` are random but public)."""
    for m in _RUN.finditer(_EMBEDDED_DIGEST.sub(" ", text)):
        run = m.group(0)
        if re.fullmatch(r"[0-9a-fA-F]+", run):
            if len(run) >= HEX_MIN_LEN and shannon_entropy(run) >= HEX_MIN_ENTROPY:
                return "high-entropy string"
        elif len(run) >= BASE64_MIN_LEN and _looks_random(run):
            return "high-entropy string"
    return None


# Names of values that are random by nature but public: digests, commit ids, versions.
_DIGEST_NAME = re.compile(r"(SHA|DIGEST|HASH|COMMIT|REVISION|CHECKSUM|ETAG|VERSION|UUID)$", re.IGNORECASE)


def classify(name: str | None, value: str | None, *, sensitive: bool = False) -> str | None:
    """Why `name = value` holds a secret (a short description, never the value), or None.

    `sensitive`: the plan marks this very value sensitive, which settles it."""
    if sensitive:
        return "value marked sensitive"
    if value is None:
        return None
    if name is not None and not isinstance(name, str):
        return _classify.__wrapped__(name, str(value))
    return _classify(name, str(value))


@functools.lru_cache(maxsize=8192)
def _classify(name: str | None, text: str) -> str | None:
    """classify() of a known value, remembered: task definitions repeat their variables
    (a family's revisions, a plan's before and after)."""
    kind = secret_format(text)
    if kind:
        return kind
    if is_reference(text):
        return None
    if name and name.upper() in ECS8_NAMES:
        return "credential"
    if is_secret_name(name):
        return "secret-like name with a literal value"
    if _DIGEST_NAME.search(name or ""):
        return None
    return _random(text)



# Output masking: the spans of a text that are secrets by their format alone, so that a
# token the plan does not mark sensitive (inside an image reference, a name, a message)
# is never printed. Every pattern has bounded runs or one start per match: linear time.
_SPAN_KINDS = frozenset(
    {"AWS access key id", "GitHub token", "Slack token", "Slack webhook URL", "Stripe secret key", "Google API key",
     "GitLab token", "npm token", "SendGrid API key", "JWT"}
)
_SPANS = tuple(pattern for kind, pattern in _FORMATS if kind in _SPAN_KINDS) + (
    _BEARER,
    # The password of `scheme://user:password@host` and of `user:password@registry.host/…`.
    re.compile(r"://[^/\s:@]{1,256}:([^/\s@]{1,512})@"),
    re.compile(r"(?<![\w.:/@-])[\w.-]{1,256}:([^\s@/:]{1,512})@(?=[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}(?::\d{1,5})?/)"),
)
_KEY_BEGIN = re.compile(r"-----BEGIN (?:[A-Z0-9]{1,20} ){0,4}PRIVATE KEY(?: BLOCK)?-----")
_KEY_END = re.compile(r"-----END [A-Z0-9 ]{0,60}-----")


def mask_secrets(text: str, mask: str) -> str:
    """`text` with every span that is a secret by its format (tokens, keys, passwords in
    URLs and registry references, private key blocks) replaced by `mask`."""
    spans: list[tuple[int, int]] = []
    for pattern in _SPANS:
        for m in pattern.finditer(text):
            spans.append(m.span(1) if m.re.groups else m.span())
    for m in _BASIC.finditer(text):
        if _is_basic_credential(m.group(1)):
            spans.append(m.span(1))
    pos = 0
    while (begin := _KEY_BEGIN.search(text, pos)) is not None:
        end = _KEY_END.search(text, begin.end())
        stop = end.end() if end else len(text)
        spans.append((begin.start(), stop))
        pos = stop
    if not spans:
        return text
    out, last = [], 0
    for start, stop in sorted(spans):
        if stop <= last:
            continue
        start = max(start, last)
        out.append(text[last:start])
        out.append(mask)
        last = stop
    out.append(text[last:])
    return "".join(out)
