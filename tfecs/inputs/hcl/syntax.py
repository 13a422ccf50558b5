"""Parse HCL into the evaluator's syntax tree (`nodes.py`).

python-hcl2's Lark grammar does the parsing. Its typed rule tree (`hcl2.parses`) costs
about 2.5 times the parse itself to build, so this module walks the raw Lark tree
(`parse_to_tree`'s shape, positions included) straight into `nodes`. Heredocs and
`templatefile()` templates reach us as raw text; `parse_template` scans them into the
same template nodes, parsing each interpolation with the same grammar.

Building the Lark parser takes about two seconds, so its tables are kept in a file in
a private folder of the user's in the temp folder (see `lark_parser`), and the parser
is built once per process.
"""

from __future__ import annotations

import functools
import hashlib
import io
import os
import pickle
import re
import sys
from typing import Any

from lark import Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from ...errors import InputError
from .nodes import (
    Attribute,
    BinOp,
    Block,
    Body,
    Call,
    Cond,
    ForExpr,
    GetAttr,
    Index,
    Lit,
    Name,
    Node,
    ObjectNode,
    Part,
    Splat,
    Template,
    TFor,
    TIf,
    TupleNode,
    Unary,
)


class HclSyntaxError(Exception):
    def __init__(self, message: str, line: int):
        self.message = message
        self.line = line
        super().__init__(f"line {line}: {message}")


@functools.lru_cache(maxsize=1)
def lark_parser():
    """python-hcl2's grammar and post-lexer, built once per process.

    Positions come from the tokens (every token has its line), so the parser does not
    propagate positions to tree nodes, which halves the parse time. Building the
    tables takes about two seconds, so they are kept in a file (keyed by the grammar's
    text, Lark's and Python's versions) and later processes load them in about 0.1 s.

    Not Lark's own `cache=True`: that file is a pickle in the shared temp folder under
    a name anyone can compute, loaded with `pickle.load`, so another user of the machine
    could plant one that runs code as whoever scans next. Ours is in the temp folder too
    (so every run of the user's shares it, whatever its HOME or TFECS_CACHE_DIR, as
    Lark's did), but in a folder of the user's own, `tfecs-grammar-<uid>`, used only if
    it is theirs and no one else can write to it (one planted by another user means
    building the tables every time, nothing worse); and the tables, plain data (dicts,
    lists, strings, numbers), are read with an unpickler that builds no object of any
    class. They are the grammar's, not any input's, so `--no-cache` still uses them."""
    from hcl2 import parser as hcl2_parser
    from hcl2.postlexer import PostLexer
    from lark import Lark
    from lark import lark as lark_module

    grammar = os.path.join(os.path.dirname(hcl2_parser.__file__), "hcl2.lark")
    path = _tables_path(grammar)
    if path is not None:
        parser = _load_tables(path, Lark, PostLexer)
        if parser is not None:
            return parser
    parser = Lark.open(grammar, parser="lalr", propagate_positions=False, postlex=PostLexer())
    if path is not None:
        _save_tables(parser, path, lark_module._LOAD_ALLOWED_OPTIONS)
    return parser


_TABLES_MAX = 64 * 1024 * 1024


class _DataUnpickler(pickle.Unpickler):
    """Plain data only: no class, no function."""

    def find_class(self, module: str, name: str):  # noqa: D102
        raise pickle.UnpicklingError(f"{module}.{name}: the grammar tables are plain data")


def _tables_path(grammar: str) -> str | None:
    from lark import __version__ as lark_version

    from .evalcache import private_folder

    try:
        with open(grammar, "rb") as fh:
            text = fh.read()
    except OSError:
        return None
    import tempfile

    uid = getattr(os, "getuid", None)
    folder = private_folder(f"tfecs-grammar-{uid()}" if uid else "tfecs-grammar", tempfile.gettempdir())
    if folder is None:
        return None
    digest = hashlib.sha256(b"%s\0%s\0%s\0" % (lark_version.encode(), sys.version.encode(), text)).hexdigest()
    return os.path.join(folder, f"hcl2-{digest}")


def _load_tables(path: str, lark_cls, postlex_cls):
    from ...safeio import NotRegular, read_regular

    try:
        data = read_regular(path, _TABLES_MAX)
    except FileNotFoundError:
        return None
    except (OSError, NotRegular):
        _unlink(path)
        return None
    try:
        doc = _DataUnpickler(io.BytesIO(data)).load()
        return lark_cls._load_from_dict(doc["data"], doc["memo"], postlex=postlex_cls(), propagate_positions=False)
    except Exception:  # noqa: BLE001 - a corrupt file is ignored and written anew
        _unlink(path)
        return None


def _save_tables(parser, path: str, exclude: Any) -> None:
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        buf = io.BytesIO()
        parser.save(buf, exclude)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(buf.getvalue())
        os.replace(tmp, path)  # atomic: a concurrent run reads all of it or none
    except Exception:  # noqa: BLE001 - no tables kept: the next process builds them again
        _unlink(tmp)


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


# ------------------------------------------------------------------------------ entry points


def parse_body(text: str, where: str) -> Body:
    """A configuration file's body. `where` is the file name used in error messages."""
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        tree = _parse(text)
        return _Converter(where, 0).body(tree.children[0])
    except HclSyntaxError as exc:
        raise InputError(f"HCL syntax error: {exc.message}", where=f"{where}:{exc.line}") from None
    except RecursionError:
        raise InputError("expressions nested too deeply for tfecs to read", where=where) from None


def parse_expression(text: str, where: str, line: int = 1) -> Node:
    """One expression (an interpolation, a `--var` value), `line` being where it starts."""
    try:
        tree = _parse(f"x = {text}")
    except HclSyntaxError as exc:
        raise HclSyntaxError(exc.message, exc.line + line - 1) from None
    body = tree.children[0]
    attrs = [c for c in body.children if isinstance(c, Tree) and c.data == "attribute"]
    if len(attrs) != 1 or len(body.children) > 3:
        raise HclSyntaxError("expected a single expression", line)
    return _Converter(where, line - 1).expr(_trees(attrs[0])[-1])


def parse_template(text: str, where: str, line: int = 1) -> Node:
    """A template's text (heredoc body, `templatefile()` file): literal text with
    `${...}` interpolations and `%{if}`/`%{for}` directives."""
    try:
        return _assemble(_scan_template(text, where, line), line)
    except RecursionError:
        raise HclSyntaxError("expressions nested too deeply for tfecs to read", line) from None


def _parse(text: str) -> Tree:
    try:
        return lark_parser().parse(text + "\n")
    except UnexpectedInput as exc:
        raise HclSyntaxError(_describe(exc), getattr(exc, "line", 0) or 0) from None


def _describe(exc: UnexpectedInput) -> str:
    if isinstance(exc, UnexpectedEOF):
        return "unexpected end of file"
    if isinstance(exc, UnexpectedToken):
        tok = exc.token
        if tok.type == "$END":
            return "unexpected end of file (unclosed block, string or bracket?)"
        text = str(tok).strip().split("\n", 1)[0].strip()
        if not text:
            return f"unexpected end of line at column {exc.column} (a value is missing?)"
        return f"unexpected {shown_token(text, tok.type)} at column {exc.column}"
    if isinstance(exc, UnexpectedCharacters):
        return f"unexpected character {shown_token(exc.char or '', 'CHAR')} at column {exc.column}"
    return "invalid syntax"


# Tokens whose text is the user's data rather than the language's: never quoted.
_DATA_TOKENS = frozenset({"STRING_CHARS", "STRING_LIT", "HEREDOC_TEMPLATE", "HEREDOC_TEMPLATE_TRIM", "TEMPLATE_STRING"})
MAX_TOKEN_SHOWN = 32


_USERINFO = re.compile(r"://[^/?#\s]*@")


def shown_text(text: str, limit: int = 200) -> str:
    """How a message may show a string from the configuration that is not a language
    token (a module source, a file path): credentials in a URL (`user:token@`, a query
    string) are cut, anything the secret detector flags is "(redacted)", control
    characters are escaped, and it is cut at `limit` characters. Quoted."""
    from ...model.secretscan import classify
    from ...textsafe import escape_control

    cleaned = _USERINFO.sub("://(redacted)@", text)
    if "?" in cleaned:
        cleaned = cleaned.split("?", 1)[0] + "?(redacted)"
    if classify(None, text) is not None or classify(None, cleaned) is not None:
        return "(redacted)"
    cleaned = escape_control(cleaned)
    if len(cleaned) > limit:
        cleaned = cleaned[:limit] + "..."
    return repr(cleaned)


def shown_token(text: str, kind: str = "") -> str:
    """How a syntax error may show the offending token: quoted only when it is the
    language's own (punctuation, a keyword, a number, a short name) and neither the
    secret detector nor its shape says it could be a secret; file content around it is
    never shown. Control characters are escaped."""
    from ...model.secretscan import classify
    from ...textsafe import escape_control

    if kind in _DATA_TOKENS or "'" in text or '"' in text:
        return "text (a string? HCL strings use double quotes)" if text.startswith("'") else "text"
    if len(text) > MAX_TOKEN_SHOWN:
        return f"a token of {len(text)} characters"
    if len(text) >= 8 and classify(None, text) is not None:
        return "(redacted)"
    return repr(escape_control(text))


# ------------------------------------------------------------------------------ Lark tree -> nodes


def _trees(t: Tree) -> list[Tree]:
    return [c for c in t.children if isinstance(c, Tree) and c.data != "new_line_or_comment"]


def _line(t: Any) -> int:
    """The line a node starts on: that of its first token."""
    while isinstance(t, Tree):
        t = next((c for c in t.children if c is not None), None)
    return (t.line or 0) if isinstance(t, Token) else 0


def _name_of(t: Tree) -> str:
    """The text of an identifier / keyword / literal_value tree."""
    tok = t.children[0]
    return str(tok.children[0] if isinstance(tok, Tree) else tok)


_ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|(.))", re.S)
_SIMPLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


def _unescape(text: str, line: int) -> str:
    if "\\" not in text:
        return text

    def repl(m: re.Match) -> str:
        if m.group(1) or m.group(2):
            return chr(int(m.group(1) or m.group(2), 16))
        ch = m.group(3)
        if ch in _SIMPLE_ESCAPES:
            return _SIMPLE_ESCAPES[ch]
        raise HclSyntaxError(f"invalid escape sequence \\{shown_token(ch)[1:-1]} in a string", line)

    return _ESCAPE.sub(repl, text)


def _number(text: str) -> int | float:
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    value = float(text)
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


class _Converter:
    def __init__(self, where: str, line_offset: int):
        self.where = where
        self.offset = line_offset

    def line(self, t: Any) -> int:
        return _line(t) + self.offset

    # Structure ---------------------------------------------------------------------------
    def body(self, t: Tree) -> Body:
        out = Body()
        for child in _trees(t):
            if child.data == "attribute":
                parts = _trees(child)
                name = _name_of(parts[0])
                if name in out.attributes:
                    raise HclSyntaxError(
                        f"attribute {name!r} is defined twice (first at line {out.attributes[name].line})", self.line(child)
                    )
                out.attributes[name] = Attribute(name, self.expr(parts[-1]), self.line(child))
            elif child.data == "block":
                out.blocks.append(self.block(child))
        return out

    def block(self, t: Tree) -> Block:
        parts = _trees(t)
        labels: list[str] = []
        for p in parts[1:-1]:
            if p.data == "string":
                labels.append(self._static_string(p))
            else:
                labels.append(_name_of(p))
        return Block(_name_of(parts[0]), labels, self.body(parts[-1]), self.line(t))

    def _static_string(self, t: Tree) -> str:
        node = self.string(t)
        if isinstance(node, Lit) and isinstance(node.value, str):
            return node.value
        raise HclSyntaxError("a block label must be a literal string, without interpolation", self.line(t))

    # Expressions ----------------------------------------------------------------------------
    def expr(self, t: Any) -> Node:
        if isinstance(t, Token):
            raise HclSyntaxError(f"unexpected {shown_token(str(t), t.type)}", self.line(t))
        handler = self._HANDLERS.get(str(t.data))
        if handler is None:
            raise HclSyntaxError(f"unsupported syntax ({t.data})", self.line(t))
        return handler(self, t)

    def expr_term(self, t: Tree) -> Node:
        inner = _trees(t)
        if len(inner) != 1:
            raise HclSyntaxError("malformed expression", self.line(t))
        return self.expr(inner[0])

    def identifier(self, t: Tree) -> Node:
        return Name(str(t.children[0]), self.line(t))

    def literal_value(self, t: Tree) -> Node:
        text = str(t.children[0])
        return Lit({"true": True, "false": False, "null": None}[text], self.line(t))

    def int_lit(self, t: Tree) -> Node:
        return Lit(_number(str(t.children[0])), self.line(t))

    float_lit = int_lit

    def string(self, t: Tree) -> Node:
        line = self.line(t)
        flat: list[tuple] = []
        for part in t.children:
            if not isinstance(part, Tree):
                continue  # the quotes
            flat.extend(self._string_part(part))
        return _assemble(flat, line)

    def _string_part(self, t: Tree) -> list[tuple]:
        out: list[tuple] = []
        for c in t.children:
            if isinstance(c, Token):
                if c.type == "STRING_CHARS":
                    out.append(("lit", _unescape(str(c), self.line(c))))
                elif c.type in ("ESCAPED_INTERPOLATION", "ESCAPED_DIRECTIVE"):
                    out.append(("lit", str(c)[1:]))
                else:
                    out.append(("lit", str(c)))
                continue
            kind = str(c.data)
            toks = [x for x in c.children if isinstance(x, Token)]
            strips = [i for i, x in enumerate(c.children) if isinstance(x, Token) and x.type == "STRIP_MARKER"]
            n = len(c.children)
            sl = bool(strips) and strips[0] == 1
            sr = bool(strips) and strips[-1] == n - 2
            if kind == "interpolation":
                out.append(("interp", self.expr(_trees(c)[0]), False, False, self.line(c)))
            elif kind == "template_if_start":
                out.append(("if", self.expr(_trees(c)[0]), sl, sr, self.line(c)))
            elif kind == "template_else":
                out.append(("else", None, sl, sr, self.line(c)))
            elif kind == "template_endif":
                out.append(("endif", None, sl, sr, self.line(c)))
            elif kind == "template_for_start":
                trees = _trees(c)  # the iteration variables, then the collection
                names = [str(x.children[0]) for x in trees[:-1]]
                key_var, val_var = (names[0], names[1]) if len(names) == 2 else (None, names[0])
                out.append(("for", (key_var, val_var, self.expr(trees[-1])), sl, sr, self.line(c)))
            elif kind == "template_endfor":
                out.append(("endfor", None, sl, sr, self.line(c)))
            elif kind == "template_string":
                raw = str(toks[0])
                out.append(("lit", raw[2:-2] if raw.startswith('\\"') else raw))
            else:
                raise HclSyntaxError(f"unsupported template syntax ({kind})", self.line(c))
        return out

    def template_string(self, t: Tree) -> Node:
        raw = str(t.children[0])
        return Lit(raw[2:-2] if raw.startswith('\\"') else raw, self.line(t))

    def heredoc(self, t: Tree) -> Node:
        raw = str(t.children[0]).replace("\r\n", "\n")
        line = self.line(t)
        m = re.match(r"<<(-?)([A-Za-z][\w.-]*)\n", raw)
        if m is None:
            raise HclSyntaxError("malformed heredoc", line)
        rest = raw[m.end() :]
        if rest.endswith("\n"):
            rest = rest[:-1]
        cut = rest.rfind("\n")
        body = rest[: cut + 1] if cut >= 0 else ""
        if m.group(1):
            body = _dedent(body)
        return parse_template(body, self.where, line + 1)

    def tuple(self, t: Tree) -> Node:
        return TupleNode([self.expr(c) for c in _trees(t)], self.line(t))

    def object(self, t: Tree) -> Node:
        items = []
        for elem in _trees(t):
            parts = _trees(elem)
            key_tree, value_tree = parts[0], parts[-1]
            items.append((self._object_key(key_tree), self.expr(value_tree)))
        return ObjectNode(items, self.line(t))

    def _object_key(self, t: Tree) -> Node:
        inner = _trees(t)[0] if _trees(t) else t.children[0]
        if isinstance(inner, Tree) and inner.data == "keyword":
            return Lit(_name_of(inner), self.line(t))
        if isinstance(inner, Tree) and inner.data == "expr_term":
            direct = _trees(inner)
            parenthesised = any(isinstance(c, Token) and c.type == "LPAR" for c in inner.children)
            if not parenthesised and len(direct) == 1 and direct[0].data in ("identifier", "literal_value"):
                return Lit(str(direct[0].children[0]), self.line(t))
        return self.expr(inner)

    def function_call(self, t: Tree) -> Node:
        names = [str(c.children[0]) for c in t.children if isinstance(c, Tree) and c.data == "identifier"]
        args_tree = next((c for c in t.children if isinstance(c, Tree) and c.data == "arguments"), None)
        args: list[Node] = []
        expand = False
        if args_tree is not None:
            args = [self.expr(c) for c in _trees(args_tree)]
            expand = any(isinstance(c, Token) and c.type == "ELLIPSIS" for c in args_tree.children)
        return Call("::".join(names), args, expand, self.line(t))

    def index_expr_term(self, t: Tree) -> Node:
        base, index = _trees(t)
        return Index(self.expr(base), self._index_key(index), self.line(t))

    def _index_key(self, t: Tree) -> Node:
        if t.data == "short_index":
            tok = [c for c in t.children if isinstance(c, Token) and c.type == "INT_LITERAL"]
            return Lit(int(str(tok[0])), self.line(t))
        return self.expr(_trees(t)[0])

    def get_attr_expr_term(self, t: Tree) -> Node:
        base, attr = _trees(t)
        return GetAttr(self.expr(base), _name_of(_trees(attr)[0]), self.line(t))

    def splat_expr_term(self, t: Tree) -> Node:
        base, splat = _trees(t)
        steps: list[tuple[str, Any]] = []
        for s in _trees(splat):
            if s.data == "get_attr":
                steps.append(("attr", _name_of(_trees(s)[0])))
            else:
                steps.append(("index", self._index_key(s)))
        return Splat(self.expr(base), steps, self.line(t))

    def for_expr(self, t: Tree) -> Node:
        parts = _trees(t)
        intro = parts[0]
        intro_parts = _trees(intro)
        names = [str(x.children[0]) for x in intro_parts[:-1]]
        key_var, val_var = (names[0], names[1]) if len(names) == 2 else (None, names[0])
        coll = self.expr(intro_parts[-1])
        cond = None
        if parts[-1].data == "for_cond":
            cond = self.expr(_trees(parts[-1])[0])
            parts = parts[:-1]
        if t.data == "for_tuple_expr":
            return ForExpr(key_var, val_var, coll, None, self.expr(parts[1]), cond, False, self.line(t))
        group = any(isinstance(c, Token) and c.type == "ELLIPSIS" for c in t.children)
        return ForExpr(key_var, val_var, coll, self.expr(parts[1]), self.expr(parts[2]), cond, group, self.line(t))

    def conditional(self, t: Tree) -> Node:
        c, a, b = _trees(t)
        return Cond(self.expr(c), self.expr(a), self.expr(b), self.line(t))

    def binary_op(self, t: Tree) -> Node:
        left, term = _trees(t)[:2]
        op_tree, right = _trees(term)[:2]
        op = str(op_tree.children[0]).strip()
        return BinOp(op, self.expr(left), self.expr(right), self.line(t))

    def unary_op(self, t: Tree) -> Node:
        op = str(t.children[0]).strip()
        operand = self.expr(_trees(t)[0])
        if op == "-" and isinstance(operand, Lit) and isinstance(operand.value, (int, float)) and not isinstance(operand.value, bool):
            return Lit(-operand.value, self.line(t))
        return Unary(op, operand, self.line(t))

    _HANDLERS: dict = {}


_Converter._HANDLERS = {
    "expr_term": _Converter.expr_term,
    "identifier": _Converter.identifier,
    "literal_value": _Converter.literal_value,
    "int_lit": _Converter.int_lit,
    "float_lit": _Converter.float_lit,
    "string": _Converter.string,
    "template_string": _Converter.template_string,
    "heredoc_template": _Converter.heredoc,
    "heredoc_template_trim": _Converter.heredoc,
    "tuple": _Converter.tuple,
    "object": _Converter.object,
    "function_call": _Converter.function_call,
    "index_expr_term": _Converter.index_expr_term,
    "get_attr_expr_term": _Converter.get_attr_expr_term,
    "attr_splat_expr_term": _Converter.splat_expr_term,
    "full_splat_expr_term": _Converter.splat_expr_term,
    "for_tuple_expr": _Converter.for_expr,
    "for_object_expr": _Converter.for_expr,
    "conditional": _Converter.conditional,
    "binary_op": _Converter.binary_op,
    "unary_op": _Converter.unary_op,
}


def _dedent(body: str) -> str:
    """`<<-` heredocs: remove the indentation of the least indented non-blank line."""
    lines = body.split("\n")
    widths = [len(ln) - len(ln.lstrip(" \t")) for ln in lines if ln.strip()]
    cut = min(widths) if widths else 0
    return "\n".join(ln[cut:] if ln.strip() else ln.lstrip(" \t")[: max(0, len(ln) - cut)] for ln in lines)


# ------------------------------------------------------------------------------ templates


def _scan_template(text: str, where: str, line0: int) -> list[tuple]:
    """Template text -> flat parts: ("lit", text) and directive/interpolation tuples."""
    out: list[tuple] = []
    buf: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in "$%" and text.startswith(ch * 2 + "{", i):
            buf.append(ch + "{")
            i += 3
            continue
        if ch in "$%" and text.startswith(ch + "{", i):
            start_line = line0 + text.count("\n", 0, i)
            end = _skip_expression(text, i + 2, start_line)
            inner = text[i + 2 : end]
            if buf:
                out.append(("lit", "".join(buf)))
                buf = []
            sl = inner.startswith("~")
            sr = inner.endswith("~") and len(inner) > 1
            inner = inner[1 if sl else 0 : len(inner) - 1 if sr else len(inner)]
            if ch == "$":
                if not inner.strip():
                    raise HclSyntaxError("empty ${} interpolation", start_line)
                out.append(("interp", parse_expression(inner.strip(), where, start_line), sl, sr, start_line))
            else:
                out.append(_directive(inner.strip(), where, start_line, sl, sr))
            i = end + 1
            continue
        buf.append(ch)
        i += 1
    if buf:
        out.append(("lit", "".join(buf)))
    return out


_FOR_DIRECTIVE = re.compile(r"for\s+([A-Za-z_][\w-]*)(?:\s*,\s*([A-Za-z_][\w-]*))?\s+in\s+(.+)", re.S)


def _directive(inner: str, where: str, line: int, sl: bool, sr: bool) -> tuple:
    word = inner.split(None, 1)[0] if inner else ""
    if word == "if":
        if not inner[2:].strip():
            raise HclSyntaxError("%{if} without a condition", line)
        return ("if", parse_expression(inner[2:].strip(), where, line), sl, sr, line)
    if word in ("else", "endif", "endfor") and inner == word:
        return (word, None, sl, sr, line)
    if word == "for":
        m = _FOR_DIRECTIVE.fullmatch(inner)
        if m:
            key_var, val_var = (m.group(1), m.group(2)) if m.group(2) else (None, m.group(1))
            return ("for", (key_var, val_var, parse_expression(m.group(3).strip(), where, line)), sl, sr, line)
    raise HclSyntaxError("invalid template directive (expected %{if ...}, %{else}, %{endif}, %{for ... in ...} or %{endfor})", line)


def _skip_expression(text: str, i: int, line: int) -> int:
    """Index of the `}` closing an interpolation or directive that starts at i."""
    depth = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == '"':
            i = _skip_string(text, i + 1, line)
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            if depth == 0:
                return i
            depth -= 1
        i += 1
    raise HclSyntaxError("unterminated template interpolation (missing '}')", line)


def _skip_string(text: str, i: int, line: int) -> int:
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == '"':
            return i + 1
        if ch in "$%" and text.startswith(ch * 2 + "{", i):
            i += 3
            continue
        if ch in "$%" and text.startswith(ch + "{", i):
            i = _skip_expression(text, i + 2, line) + 1
            continue
        i += 1
    raise HclSyntaxError("unterminated string in a template interpolation", line)


def _assemble(flat: list[tuple], line: int) -> Node:
    """Apply `~` strip markers, then nest if/for directives into TIf/TFor parts."""
    flat = list(flat)
    for k, part in enumerate(flat):
        if part[0] == "lit":
            continue
        if part[2] and k > 0 and flat[k - 1][0] == "lit":
            flat[k - 1] = ("lit", flat[k - 1][1].rstrip())
        if part[3] and k + 1 < len(flat) and flat[k + 1][0] == "lit":
            flat[k + 1] = ("lit", flat[k + 1][1].lstrip())
    pos = 0

    def parts_until(stop: tuple[str, ...]) -> tuple[list[Part], tuple | None]:
        nonlocal pos
        parts: list[Part] = []
        while pos < len(flat):
            part = flat[pos]
            pos += 1
            kind = part[0]
            if kind in stop:
                return parts, part
            if kind == "lit":
                if part[1]:
                    if parts and isinstance(parts[-1], str):
                        parts[-1] += part[1]
                    else:
                        parts.append(part[1])
            elif kind == "interp":
                parts.append(part[1])
            elif kind == "if":
                then, end = parts_until(("else", "endif"))
                otherwise: list[Part] = []
                if end is not None and end[0] == "else":
                    otherwise, end = parts_until(("endif",))
                if end is None or end[0] != "endif":
                    raise HclSyntaxError("%{if} without a matching %{endif}", part[4])
                parts.append(TIf(part[1], then, otherwise))
            elif kind == "for":
                body, end = parts_until(("endfor",))
                if end is None:
                    raise HclSyntaxError("%{for} without a matching %{endfor}", part[4])
                key_var, val_var, coll = part[1]
                parts.append(TFor(key_var, val_var, coll, body))
            else:
                raise HclSyntaxError(f"%{{{kind}}} without a matching opening directive", part[4])
        return parts, None

    parts, _ = parts_until(())
    if all(isinstance(p, str) for p in parts):
        return Lit("".join(parts), line)  # type: ignore[arg-type]
    return Template(parts, line)
