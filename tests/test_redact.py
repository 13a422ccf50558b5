"""Redaction: every sensitive value is masked wherever it appears in the output, the
longest secret first, and the JSON report stays valid JSON whatever the secrets are."""

from __future__ import annotations

import json
import random
import re

import orjson
import pytest
from planfixture import write_plan

from tfecs.inputs.raw import RawResource
from tfecs.redact import MASK, Redactor, redact_strings, renderings, sensitive_values
from tfecs.reporters import FORMATS, render
from tfecs.scan import scan
from tfecs_rules import ALL_RULES


def _alternation(secrets: set[str], text: str) -> str:
    """The reference semantics: one alternation of every rendering, longest first, any case."""
    forms = {f.lower() for s in secrets if len(s) >= 4 for f in renderings(s)}
    if not forms:
        return text
    return re.sub("|".join(map(re.escape, sorted(forms, key=len, reverse=True))), MASK, text, flags=re.I)


def test_longest_secret_wins_where_several_start():
    r = Redactor({"abcd", "abcdef", "cdefgh"})
    assert r("xabcdefghx") == f"x{MASK}ghx"
    assert r("abcdabcdef") == MASK * 2
    assert r("nothing here") == "nothing here"


def test_short_values_are_not_secrets_and_escaped_forms_are():
    r = Redactor({"abc", 'pa"ss\\word'})
    assert r("abc") == "abc"
    assert r('{"v": "pa\\"ss\\\\word"}') == f'{{"v": "{MASK}"}}'
    assert r('pa"ss\\word') == MASK


def test_matches_the_alternation_on_random_secrets():
    rng = random.Random(7)
    alphabet = 'ab"\\\n.*(x'
    for _ in range(100):
        secrets = {"".join(rng.choice(alphabet) for _ in range(rng.randint(1, 60))) for _ in range(rng.randint(0, 20))}
        if rng.random() < 0.3:  # secrets that are prefixes of each other, long and short
            base = "".join(rng.choice(alphabet) for _ in range(50))
            secrets |= {base[:k] for k in range(3, 50, 3)}
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 300)))
        for s in list(secrets)[:4]:
            i = rng.randint(0, len(text))
            text = text[:i] + s + text[i:]
        assert Redactor(secrets)(text) == _alternation(secrets, text)


def test_secrets_nested_hundreds_deep():
    secrets = {"x" * k for k in range(4, 400)}
    text = "y" + "x" * 900 + "y"
    assert Redactor(secrets)(text) == _alternation(secrets, text)


def test_redact_strings_keeps_keys_numbers_and_literals():
    doc = {"true": True, "n": 8080, "s": "port 8080 is open", "l": ["8080", None, {"k": "open story"}]}
    out = redact_strings(doc, Redactor({"8080", "open"}))
    assert out == {"true": True, "n": 8080, "s": f"port {MASK} is {MASK}", "l": [MASK, None, {"k": f"{MASK} story"}]}
    assert doc["s"] == "port 8080 is open"  # the input is not modified
    same = {"a": "b"}
    assert redact_strings(same, Redactor({"zzzz"})) is same


def test_redact_strings_with_a_secret_holding_the_separator():
    r = Redactor({"ab\x00cd"})
    assert redact_strings(["xab", "cdx", "ab\x00cd"], r) == ["xab", "cdx", MASK]


def test_json_report_stays_valid_when_secrets_look_like_json(tmp_path):
    """A sensitive container_definitions makes all its parts secrets, "true" and "1000"
    included: the report masks them inside strings and stays parseable."""
    containers = [{"name": "app", "image": "nginx:latest", "user": "1000", "environment": [{"name": "ECS_FARGATE", "value": "true"}]}]
    plan = write_plan(
        [
            {
                "address": "aws_ecs_task_definition.bad_secret",
                "values": {"family": "app", "container_definitions": containers},
                "sensitive": {"container_definitions": True},
            }
        ],
        tmp_path / "plan.json",
    )
    report = scan([str(plan)], [r() for r in ALL_RULES])
    text = render(report, "json")
    doc = json.loads(text)
    assert doc["summary"]["exit_code"] == report.exit_code
    assert "nginx:latest" not in text and '"1000"' not in text
    assert all(isinstance(f["blocking"], bool) for f in doc["findings"])


def test_sensitive_values_follow_only_marked_paths():
    raw = RawResource(
        address="aws_ssm_parameter.p",
        mode="managed",
        type="aws_ssm_parameter",
        name="p",
        after={"name": "visible-name", "value": "s3cr3t-value", "tags": {"k": "visible-tag"}, "list": ["aaaa", "bbbb"]},
        after_sensitive={"value": True, "tags": {}, "list": [False, True]},
        before={"value": '{"inner":"json-part","n":12345}'},
        before_sensitive={"value": True},
    )
    assert sensitive_values([raw]) == {"s3cr3t-value", "bbbb", '{"inner":"json-part","n":12345}', "json-part", "12345"}


def test_literal_words_are_not_treated_as_secrets():
    from tfecs.redact import Redactor

    redact = Redactor({"true", "false", "hunter2-secret", "None"})
    assert redact("privileged is true, user None, password hunter2-secret") == "privileged is true, user None, password (redacted)"


def test_addresses_and_rule_ids_are_never_masked():
    from tfecs.redact import Redactor

    redact = Redactor({"shared", "container"}, keep={"aws_iam_role.bad_shared", "ecs-privileged-container"})
    text = "aws_iam_role.bad_shared: volume shared; ecs-privileged-container in container app"
    assert redact(text) == "aws_iam_role.bad_shared: volume (redacted); ecs-privileged-container in (redacted) app"
    assert Redactor({"shared"})("aws_iam_role.bad_shared") == "aws_iam_role.bad_(redacted)"


def test_report_keeps_addresses_that_contain_a_sensitive_word(tmp_path):
    containers = [{"name": "app", "image": "app:1", "privileged": True, "mountPoints": [{"sourceVolume": "shared", "containerPath": "/data"}]}]
    plan = write_plan(
        [
            {"address": "aws_ecs_task_definition.bad_shared", "values": {"family": "app", "container_definitions": containers},
             "sensitive": {"container_definitions": True}},
        ],
        tmp_path / "plan.json",
    )
    report = scan([str(plan)], [r() for r in ALL_RULES if r.meta.id == "ecs-privileged-container"])
    for fmt in FORMATS:
        text = render(report, fmt)
        assert "aws_ecs_task_definition.bad_shared" in text and "bad_(redacted)" not in text


from hypothesis import given, settings, strategies as st  # noqa: E402

_PIECE = st.text(alphabet=st.sampled_from(list("ab'\" _-x\x00\x01Root")), max_size=12)


@settings(max_examples=300, deadline=None)
@given(
    texts=st.lists(_PIECE, max_size=8),
    secrets=st.lists(st.text(alphabet=st.sampled_from(list("ab'_x\x00\x01R")), min_size=4, max_size=8), max_size=3),
    parts=st.lists(st.sampled_from(["root", "abab", "xxab"]), max_size=2),
)
def test_masking_pieces_together_equals_masking_each(texts, secrets, parts):
    """The one-pass masking of many pieces (NUL-joined) gives what masking each alone
    gives, even with NUL, quotes and word characters at the edges."""
    r = Redactor(secrets, parts=parts, quoted=parts)
    assert r._mask_each(texts) == [r._mask(t) for t in texts]


# Case: a secret is masked in any case re.IGNORECASE equates, including characters whose
# str.lower() is longer than one character (`İ`) and those re adds (`ſ` is `s`).
_CASEY = list("aAsSſıiIİkKKµμΣσς-_ ") + ["x"]


def _bounded_alternation(forms: set[str], text: str, bounds: tuple[str, str] = ("", "")) -> str:
    """Reference: one alternation of the forms as written (not lowercased), longest first,
    re.IGNORECASE, between the bounds."""
    if not forms:
        return text
    body = "|".join(map(re.escape, sorted(forms, key=len, reverse=True)))
    return re.sub(f"{bounds[0]}(?:{body}){bounds[1]}", MASK, text, flags=re.I)


def test_a_secret_whose_lowercase_is_longer_is_still_masked():
    """`İ`.lower() is two characters; re.IGNORECASE treats it as `i`. Folding the secret
    with str.lower() once let `İstanbulPass99` through verbatim."""
    r = Redactor({"İstanbulPass99"})
    assert r("pw İstanbulPass99 / istanbulpass99 / ISTANBULPASS99 / İSTANBULPASS99") == f"pw {MASK} / {MASK} / {MASK} / {MASK}"
    assert Redactor({"ſuperſecret"})("SUPERSECRET and superſecret") == f"{MASK} and {MASK}"


@settings(max_examples=400, deadline=None)
@given(
    secrets=st.lists(st.text(alphabet=st.sampled_from(_CASEY), min_size=4, max_size=40), min_size=1, max_size=6),
    noise=st.lists(st.text(alphabet=st.sampled_from(_CASEY), max_size=10), max_size=6),
    flips=st.lists(st.booleans(), min_size=6, max_size=6),
)
def test_any_case_matches_the_reference_alternation(secrets, noise, flips):
    """Short and long (> 24 characters, found by their prefix) secrets, in the text as
    written or in the other case, among noise: the same as the reference alternation."""
    secrets = [s for s in secrets if s not in ("true", "false", "null", "none") and s.strip()]
    pieces = []
    for i, s in enumerate(secrets):
        pieces.append(noise[i % len(noise)] if noise else "")
        pieces.append(s.swapcase() if flips[i % 6] else s)
    text = "".join(pieces)
    forms = {f for s in secrets if len(s) >= 4 for f in renderings(s)}
    assert Redactor(set(secrets))(text) == _bounded_alternation(forms, text)


@settings(max_examples=300, deadline=None)
@given(
    parts=st.lists(st.text(alphabet=st.sampled_from(list("abAB_ x'\"")), min_size=4, max_size=30), min_size=1, max_size=5),
    text=st.text(alphabet=st.sampled_from(list("abAB_ x'\"")), max_size=120),
)
def test_parts_and_quoted_words_match_the_bounded_reference(parts, text):
    """Parts are masked only where no word character touches them, quoted words only
    between quotes; a longer form whose bound fails gives way to a shorter one."""
    text = text + " " + " ".join(parts) + " '" + parts[0] + "'"
    from tfecs.redact import _QUOTE_BOUNDS, _WORD_BOUNDS

    forms = {f for p in parts for f in renderings(p)}
    assert Redactor((), parts=parts)(text) == _bounded_alternation(forms, text, _WORD_BOUNDS)
    assert Redactor((), quoted=parts)(text) == _bounded_alternation(forms, text, _QUOTE_BOUNDS)


def test_redact_strings_copies_only_what_it_changes():
    """The report's lists may be a rule's own metadata: nothing is changed in place, and
    what holds no secret is returned as it is."""
    shared = ["ECS.1", "ECS.2"]
    tree = {"findings": [{"message": "pw hunter2hunter2", "controls": shared}], "rules": {"ids": shared}}
    out = redact_strings(tree, Redactor({"hunter2hunter2"}))
    assert out["findings"][0]["message"] == f"pw {MASK}"
    assert tree["findings"][0]["message"] == "pw hunter2hunter2"
    assert out["rules"] is tree["rules"] and out["findings"][0]["controls"] is shared


@pytest.mark.parametrize("width", [40, 47, 60, 80])
def test_table_masks_before_it_wraps(tmp_path, monkeypatch, width):
    """A token in an image reference (a secret by its format, not marked sensitive) in a
    message the table wraps mid-word at this width: masked before the layout, so no
    piece of it is printed (masking the wrapped text once let `p_A1b2...` through)."""
    token = "ghp_" + "A1b2C3d4" * 5
    containers = [{"name": "app", "image": f"registry.example.com/{token}/app:latest", "user": "1000:1000"}]
    plan = write_plan(
        [{"address": "aws_ecs_task_definition.app", "values": {"family": "app", "container_definitions": containers}}],
        tmp_path / "plan.json",
    )
    report = scan([str(plan)], [r() for r in ALL_RULES if r.meta.id == "ecs-image-mutable-tag"])
    from tfecs.reporters.table import render as table

    text = table(report, width=width)  # what `tfecs scan -f table` prints, nothing after it
    assert "C3d4" not in text and "A1b2" not in text and "(redac" in text
    assert [f.rule for f in report.findings] == ["ecs-image-mutable-tag"]
