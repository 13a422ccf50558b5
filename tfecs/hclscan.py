"""A tolerant structural scan of HCL text: blocks and attributes with their line ranges,
and comments with their lines. It evaluates nothing: suppressions need to know where a
comment sits (above which resource, attribute or `jsonencode` list entry), and the
config file needs the line of each key to name it in an error.

Strings (with `${…}` templates nested to any depth), heredocs and the three comment forms
are skipped exactly, so a `#` or a brace inside a string never misleads it. Malformed text
never raises: the scan stops where it cannot go on, and what it found so far stands.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_HEREDOC = re.compile(r"<<(-?)([A-Za-z_][A-Za-z0-9_-]*)[ \t]*\r?\n")
_OPS = ("==", "!=", "<=", ">=", "=>", "&&", "||", "...")
# Nesting deeper than this (hostile input) is skipped flat, never by recursion.
MAX_DEPTH = 64


@dataclass(slots=True)
class Token:
    kind: str  # ident, string, number, heredoc, nl, punct, op
    text: str
    line: int
    value: str | None = None  # a string's literal value when it has no template


@dataclass(slots=True)
class Comment:
    line: int
    text: str  # without the leading `#` / `//`
    own_line: bool  # nothing but blanks before it on its line


@dataclass(slots=True)
class Item:
    """An attribute (`name = expr`) or a block (`name "label" { … }`) of a body."""

    kind: str  # "attr" | "block"
    name: str
    line: int
    end: int
    labels: tuple[str, ...] = ()
    body: list["Item"] = field(default_factory=list)
    value: object = None  # an attribute's literal value (string, number, bool, list), else None
    literal: bool = False  # the value is a literal
    elements: list[tuple[int, int]] = field(default_factory=list)  # (line, end) of list entries


@dataclass(slots=True)
class Scan:
    items: list[Item]
    comments: list[Comment]
    code_lines: set[int]  # lines that hold a token (not only blanks and comments)


class _Lexer:
    def __init__(self, text: str):
        self.s = text
        self.i = 0
        self.line = 1
        self.tokens: list[Token] = []
        self.comments: list[Comment] = []
        self.depth = 0

    def run(self) -> None:
        s, n = self.s, len(self.s)
        while self.i < n:
            c = s[self.i]
            if c == "\n":
                self.tokens.append(Token("nl", "\n", self.line))
                self.line += 1
                self.i += 1
            elif c in " \t\r\ufeff":
                self.i += 1
            elif c == "#" or s.startswith("//", self.i):
                start = self.i + (1 if c == "#" else 2)
                end = s.find("\n", start)
                end = n if end < 0 else end
                own = not s[s.rfind("\n", 0, self.i) + 1 : self.i].strip()
                self.comments.append(Comment(self.line, s[start:end], own))
                self.i = end
            elif s.startswith("/*", self.i):
                end = s.find("*/", self.i + 2)
                end = n if end < 0 else end + 2
                self.line += s.count("\n", self.i, end)
                self.i = end
            elif c == '"':
                line = self.line
                start = self.i
                literal = self._string()
                self.tokens.append(Token("string", s[start : self.i], line, literal))
            elif c == "<" and (m := _HEREDOC.match(s, self.i)):
                line = self.line
                self.i = m.end()
                self.line += 1
                marker = m.group(2)
                while self.i < n:
                    end = s.find("\n", self.i)
                    end = n if end < 0 else end
                    text = s[self.i : end].strip()
                    self.i = min(end + 1, n)
                    if text == marker:
                        break
                    self.line += 1
                self.tokens.append(Token("heredoc", marker, line))
                if self.i <= n and s[self.i - 1 : self.i] == "\n":
                    self.tokens.append(Token("nl", "\n", self.line))
                    self.line += 1
            elif (m := _IDENT.match(s, self.i)):
                self.tokens.append(Token("ident", m.group(), self.line))
                self.i = m.end()
            elif (m := _NUMBER.match(s, self.i)):
                self.tokens.append(Token("number", m.group(), self.line))
                self.i = m.end()
            else:
                op = next((o for o in _OPS if s.startswith(o, self.i)), None)
                if op:
                    self.tokens.append(Token("op", op, self.line))
                    self.i += len(op)
                else:
                    self.tokens.append(Token("punct", c, self.line))
                    self.i += 1

    def _string(self) -> str | None:
        """Skip a quoted string (at `"`); its value when it holds no template."""
        if self.depth >= MAX_DEPTH:
            self.i = len(self.s)  # templates nested this deep: stop reading
            return None
        self.depth += 1
        try:
            return self._string_body()
        finally:
            self.depth -= 1

    def _string_body(self) -> str | None:
        s, n = self.s, len(self.s)
        self.i += 1
        out: list[str] = []
        literal = True
        while self.i < n:
            c = s[self.i]
            if c == "\\" and self.i + 1 < n:
                out.append(_ESCAPES.get(s[self.i + 1], s[self.i + 1]))
                self.i += 2
                if s[self.i - 1] == "u":
                    hexa = s[self.i : self.i + 4]
                    if re.fullmatch(r"[0-9A-Fa-f]{4}", hexa):
                        out[-1] = chr(int(hexa, 16))
                        self.i += 4
                continue
            if c in "$%" and s.startswith(c + "{", self.i + 1):  # `$${` is a literal `${`
                out.append(c + "{")
                self.i += 3
                continue
            if c in "$%" and s.startswith("{", self.i + 1):
                literal = False
                self.i += 2
                self._template_expr()
                continue
            if c == '"':
                self.i += 1
                return "".join(out) if literal else None
            if c == "\n":  # an unterminated string ends at the line's end
                return None
            out.append(c)
            self.i += 1
        return None

    def _template_expr(self) -> None:
        """Skip a template interpolation up to its closing brace (nested strings too)."""
        s, n = self.s, len(self.s)
        depth = 1
        while self.i < n and depth:
            c = s[self.i]
            if c == '"':
                self._string()
                continue
            if c == "\n":
                self.line += 1
            elif c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
            self.i += 1


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
_OPEN = {"(": ")", "[": "]", "{": "}"}


class _Parser:
    def __init__(self, tokens: list[Token]):
        self.t = tokens
        self.i = 0

    def peek(self, k: int = 0) -> Token | None:
        j = self.i + k
        return self.t[j] if j < len(self.t) else None

    def body(self, closing: bool, depth: int = 0) -> list[Item]:
        items: list[Item] = []
        while (tok := self.peek()) is not None:
            if tok.kind == "nl":
                self.i += 1
                continue
            if tok.kind == "punct" and tok.text == "}":
                if closing:
                    return items
                self.i += 1  # a stray brace at the top: skip it
                continue
            if tok.kind == "ident":
                nxt = self.peek(1)
                if nxt is not None and nxt.kind == "punct" and nxt.text == "=":
                    items.append(self.attribute())
                    continue
                labels: list[str] = []
                j = 1
                while (lab := self.peek(j)) is not None and lab.kind in ("string", "ident"):
                    labels.append(lab.value if lab.kind == "string" and lab.value is not None else lab.text.strip('"'))
                    j += 1
                brace = self.peek(j)
                if brace is not None and brace.kind == "punct" and brace.text == "{":
                    self.i += j + 1
                    inner = self.body(True, depth + 1) if depth < MAX_DEPTH else self.skip_block()
                    end_tok = self.peek()
                    end = end_tok.line if end_tok else (self.t[-1].line if self.t else tok.line)
                    self.i += 1
                    items.append(Item("block", tok.text, tok.line, end, tuple(labels), inner))
                    continue
            self.i += 1  # anything else: skip a token and resynchronise
        return items

    def skip_block(self) -> list[Item]:
        """Pass over a block's body up to (not past) its closing brace, without recursion."""
        depth = 0
        while (tok := self.peek()) is not None:
            if tok.kind == "punct" and tok.text in "{}":
                if tok.text == "}" and depth == 0:
                    break
                depth += 1 if tok.text == "{" else -1
            self.i += 1
        return []

    def attribute(self) -> Item:
        name = self.t[self.i]
        self.i += 2
        start = self.i
        depth = 0
        while (tok := self.peek()) is not None:
            if tok.kind == "nl" and depth == 0:
                break
            if tok.kind == "punct":
                if tok.text in _OPEN:
                    depth += 1
                elif tok.text in ")]}":
                    if depth == 0:
                        break  # the closing brace of the enclosing block (one-line blocks)
                    depth -= 1
            self.i += 1
        expr = self.t[start : self.i]
        end = expr[-1].line if expr else name.line
        item = Item("attr", name.text, name.line, end)
        ok, value = _literal(expr)
        item.literal, item.value = ok, value if ok else None
        item.elements = _list_elements(expr)
        return item


def _literal(expr: list[Token]) -> tuple[bool, object]:
    """The value of a literal expression (string, number, bool, null, list of them)."""
    toks = [t for t in expr if t.kind != "nl"]
    pos = 0

    def one(depth: int = 0) -> tuple[bool, object]:
        nonlocal pos
        if pos >= len(toks) or depth > MAX_DEPTH:
            return False, None
        t = toks[pos]
        if t.kind == "string":
            pos += 1
            return t.value is not None, t.value
        if t.kind == "number":
            pos += 1
            return True, float(t.text) if any(ch in t.text for ch in ".eE") else int(t.text)
        if t.kind == "punct" and t.text == "-" and pos + 1 < len(toks) and toks[pos + 1].kind == "number":
            pos += 1
            ok, v = one(depth + 1)
            return ok, -v  # type: ignore[operator]
        if t.kind == "ident" and t.text in ("true", "false", "null"):
            pos += 1
            return True, {"true": True, "false": False, "null": None}[t.text]
        if t.kind == "punct" and t.text == "[":
            pos += 1
            out = []
            while pos < len(toks) and not (toks[pos].kind == "punct" and toks[pos].text == "]"):
                ok, v = one(depth + 1)
                if not ok:
                    return False, None
                out.append(v)
                if pos < len(toks) and toks[pos].kind == "punct" and toks[pos].text == ",":
                    pos += 1
            if pos >= len(toks):
                return False, None
            pos += 1
            return True, out
        return False, None

    ok, value = one()
    return (ok and pos == len(toks)), value


def _list_elements(expr: list[Token]) -> list[tuple[int, int]]:
    """The (first line, last line) of each entry of a list written literally, possibly
    inside `jsonencode(…)`: `[ {…}, {…} ]`. A `for` expression has no entries."""
    toks = [t for t in expr if t.kind != "nl"]
    pos = 0
    if len(toks) >= 2 and toks[0].kind == "ident" and toks[1].kind == "punct" and toks[1].text == "(":
        pos = 2
    if pos >= len(toks) or toks[pos].text != "[" or toks[pos].kind != "punct":
        return []
    if pos + 1 < len(toks) and toks[pos + 1].kind == "ident" and toks[pos + 1].text == "for":
        return []
    out: list[tuple[int, int]] = []
    depth = 0
    first: Token | None = None
    last: Token | None = None
    for t in toks[pos + 1 :]:
        if t.kind == "punct" and depth == 0 and t.text in ",]":
            if first is not None and last is not None:
                out.append((first.line, last.line))
            first = last = None
            if t.text == "]":
                return out
            continue
        if t.kind == "punct":
            if t.text in _OPEN:
                depth += 1
            elif t.text in ")]}":
                depth -= 1
        first = first or t
        last = t
    return out


def scan(text: str) -> Scan:
    lexer = _Lexer(text)
    lexer.run()
    parser = _Parser(lexer.tokens)
    items = parser.body(False)
    code_lines = {t.line for t in lexer.tokens if t.kind != "nl"}
    return Scan(items, lexer.comments, code_lines)
