"""Terraform's built-in functions that can be computed before apply.

Each function declares how it treats unknown arguments:
- "deep": any unknown part of any argument makes the result unknown (string functions);
- "top": only a wholly unknown argument does (collections keep their unknown elements:
  `merge`, `concat`, `length` of a list of unknowns);
- "self": the function looks at unknowns itself (`coalesce`, `jsonencode`).
Functions that read files, and `try`/`can`, live in the evaluator. A name not here
evaluates to unknown (with a debug note), never to a guess.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import math
import re
import urllib.parse
from typing import Any, Callable

from .values import (
    UNKNOWN,
    EvalError,
    Unknown,
    decode_partial,
    has_unknown,
    json_encode,
    norm_number,
    partial_equal,
    tf_equal,
    to_bool,
    to_number,
    to_string,
    type_name,
)

FUNCTIONS: dict[str, tuple[Callable[..., Any], str]] = {}

# One value a function may produce: strings of more characters, or collections of more
# elements, fail the scan (the evaluator adds file:line); see budget.py for the totals.
MAX_RESULT = 64 * 1024 * 1024


class TooBig(Exception):
    """A function call would produce more than MAX_RESULT characters or elements."""


def _cap(n: int, what: str) -> None:
    if n > MAX_RESULT:
        raise TooBig(f"{what} would produce more than {MAX_RESULT} characters or elements")


def fn(*names: str, unknown: str = "deep"):
    def register(func: Callable[..., Any]) -> Callable[..., Any]:
        for name in names:
            FUNCTIONS[name] = (func, unknown)
        return func

    return register


def call(name: str, args: list[Any]) -> Any:
    func, mode = FUNCTIONS[name]
    if mode == "deep" and any(has_unknown(a) for a in args):
        return UNKNOWN
    if mode == "top" and any(isinstance(a, Unknown) for a in args):
        return UNKNOWN
    try:
        return func(*args)
    except TypeError as exc:
        raise EvalError(f"{name}(): wrong arguments ({exc})") from None
    except (ValueError, IndexError, KeyError, ZeroDivisionError, OverflowError) as exc:
        raise EvalError(f"{name}(): {exc}") from None
    except MemoryError:
        raise TooBig(f"{name}() runs out of memory") from None


def _list(value: Any, what: str = "argument") -> list:
    if isinstance(value, list):
        return value
    raise EvalError(f"{what} must be a list, not a {type_name(value)}")


def _map(value: Any, what: str = "argument") -> dict:
    if isinstance(value, dict):
        return value
    raise EvalError(f"{what} must be a map or object, not a {type_name(value)}")


def _int(value: Any) -> int:
    n = to_number(value)
    if isinstance(n, float) and not n.is_integer():
        raise EvalError(f"{n} is not a whole number")
    return int(n)


# ------------------------------------------------------------------------- encoding


@fn("jsonencode", unknown="self")
def _jsonencode(value: Any) -> Any:
    if has_unknown(value):
        return Unknown(decoded=value)
    return json_encode(value)


@fn("jsondecode", unknown="self")
def _jsondecode(value: Any) -> Any:
    return decode_partial(value)


@fn("base64encode")
def _b64enc(s: Any) -> str:
    return base64.b64encode(to_string(s).encode()).decode()


@fn("base64decode")
def _b64dec(s: Any) -> str:
    try:
        return base64.b64decode(to_string(s), validate=True).decode()
    except (ValueError, UnicodeDecodeError):
        raise EvalError("base64decode: invalid base64 or not UTF-8") from None


@fn("urlencode")
def _urlencode(s: Any) -> str:
    return urllib.parse.quote(to_string(s), safe="")


for _name, _algo in (("md5", "md5"), ("sha1", "sha1"), ("sha256", "sha256"), ("sha512", "sha512")):
    FUNCTIONS[_name] = (lambda s, _a=_algo: hashlib.new(_a, to_string(s).encode()).hexdigest(), "deep")
for _name, _algo in (("base64sha256", "sha256"), ("base64sha512", "sha512")):
    FUNCTIONS[_name] = (lambda s, _a=_algo: base64.b64encode(hashlib.new(_a, to_string(s).encode()).digest()).decode(), "deep")


# ------------------------------------------------------------------------- type conversion


@fn("tostring")
def _tostring(v: Any) -> Any:
    return None if v is None else to_string(v)


@fn("tonumber")
def _tonumber(v: Any) -> Any:
    return None if v is None else to_number(v)


@fn("tobool")
def _tobool(v: Any) -> Any:
    return None if v is None else to_bool(v)


@fn("tolist", unknown="top")
def _tolist(v: Any) -> Any:
    return None if v is None else list(_list(v))


@fn("toset", unknown="self")
def _toset(v: Any) -> Any:
    if v is None:
        return None
    if isinstance(v, Unknown) or any(isinstance(x, Unknown) for x in _list(v)):
        return UNKNOWN
    return set_of(v)


@fn("tomap", unknown="top")
def _tomap(v: Any) -> Any:
    return None if v is None else dict(_map(v))


@fn("sensitive", "nonsensitive", unknown="top")
def _identity(v: Any) -> Any:
    return v


def value_key(v: Any) -> Any:
    """A hashable key equal for values Terraform calls equal (`tf_equal`): sets and
    distinct() in linear time instead of comparing every pair."""
    if v is None:
        return ("n",)
    if isinstance(v, bool):
        return ("b", v)
    if isinstance(v, (int, float)):
        return ("#", v)
    if isinstance(v, str):
        return ("s", v)
    if isinstance(v, list):
        return ("l", tuple(value_key(x) for x in v))
    if isinstance(v, dict):
        return ("m", tuple(sorted((k, value_key(x)) for k, x in v.items())))
    return ("o", id(v))  # an unknown or a lazy reference: equal only to itself


def _unique(items: list) -> list:
    seen: set = set()
    out: list = []
    for item in items:
        k = value_key(item)
        if k not in seen:
            seen.add(k)
            out.append(item)
    return out


def set_of(items: list) -> list:
    out = _unique(items)
    if all(isinstance(i, str) for i in out):
        out.sort()
    return out


# ------------------------------------------------------------------------- collections


@fn("length", unknown="top")
def _length(v: Any) -> int:
    if isinstance(v, (str, list, dict)):
        return len(v)
    raise EvalError(f"length of a {type_name(v)}")


@fn("keys", unknown="top")
def _keys(m: Any) -> list:
    return sorted(_map(m))


@fn("values", unknown="top")
def _values(m: Any) -> list:
    m = _map(m)
    return [m[k] for k in sorted(m)]


@fn("lookup", unknown="self")
def _lookup(m: Any, key: Any, *default: Any) -> Any:
    if isinstance(m, Unknown) or isinstance(key, Unknown) or has_unknown(key):
        return UNKNOWN
    key = to_string(key)
    m = _map(m)
    if key in m:
        return m[key]
    if default:
        return default[0]
    raise EvalError("lookup: no such key and no default")


@fn("coalesce", unknown="self")
def _coalesce(*values: Any) -> Any:
    for v in values:
        if isinstance(v, Unknown):
            return UNKNOWN
        if v is not None and v != "":
            return v
    raise EvalError("coalesce: every argument is null or empty")


@fn("merge", unknown="top")
def _merge(*maps: Any) -> dict:
    out: dict = {}
    for m in maps:
        if m is None:
            continue
        out.update(_map(m))
    return out


@fn("concat", unknown="top")
def _concat(*lists: Any) -> list:
    out: list = []
    for item in lists:
        out.extend(_list(item))
    return out


@fn("element", unknown="self")
def _element(lst: Any, idx: Any) -> Any:
    if isinstance(lst, Unknown) or has_unknown(idx):
        return UNKNOWN
    lst = _list(lst)
    if not lst:
        raise EvalError("element() of an empty list")
    return lst[_int(idx) % len(lst)]


@fn("index")
def _index(lst: Any, value: Any) -> int:
    for i, item in enumerate(_list(lst)):
        if tf_equal(item, value):
            return i
    raise EvalError("index: value not in list")


@fn("contains", unknown="self")
def _contains(lst: Any, value: Any) -> Any:
    """Terraform's contains(): true as soon as a known element equals the value, even
    when other elements are unknown; unknown only if it could still be one of them."""
    if isinstance(lst, Unknown):
        return UNKNOWN
    unknown = False
    for item in _list(lst):
        eq = partial_equal(item, value)
        if eq is True:
            return True
        if isinstance(eq, Unknown):
            unknown = True
    return UNKNOWN if unknown else False


@fn("distinct")
def _distinct(lst: Any) -> list:
    return _unique(_list(lst))


@fn("compact")
def _compact(lst: Any) -> list:
    return [x for x in _list(lst) if x is not None and x != ""]


@fn("flatten", unknown="self")
def _flatten(lst: Any) -> Any:
    out: list = []

    def walk(items: list) -> bool:
        for item in items:
            if isinstance(item, Unknown):
                return False
            if isinstance(item, list):
                if not walk(item):
                    return False
            else:
                out.append(item)
        return True

    if isinstance(lst, Unknown):
        return UNKNOWN
    return out if walk(_list(lst)) else UNKNOWN


@fn("reverse", unknown="top")
def _reverse(lst: Any) -> list:
    return list(reversed(_list(lst)))


@fn("slice", unknown="self")
def _slice(lst: Any, start: Any, end: Any) -> Any:
    if isinstance(lst, Unknown) or has_unknown(start) or has_unknown(end):
        return UNKNOWN
    lst = _list(lst)
    s, e = _int(start), _int(end)
    if s < 0 or e > len(lst) or s > e:
        raise EvalError("slice: index out of range")
    return lst[s:e]


@fn("sort")
def _sort(lst: Any) -> list:
    return sorted(to_string(x) for x in _list(lst))


@fn("range")
def _range(*args: Any) -> list:
    nums = [to_number(a) for a in args]
    if len(nums) == 1:
        start, stop, step = 0, nums[0], 1
    elif len(nums) == 2:
        start, stop, step = nums[0], nums[1], (1 if nums[1] >= nums[0] else -1)
    else:
        start, stop, step = nums
    if step == 0:
        raise EvalError("range: step must not be zero")
    out = []
    v = start
    while (step > 0 and v < stop) or (step < 0 and v > stop):
        out.append(norm_number(v))
        v += step
        if len(out) > 1024:
            raise EvalError("range: more than 1024 elements")
    return out


@fn("zipmap", unknown="self")
def _zipmap(keys: Any, values: Any) -> Any:
    if has_unknown(keys) or isinstance(values, Unknown):
        return UNKNOWN
    keys, values = _list(keys), _list(values)
    if len(keys) != len(values):
        raise EvalError("zipmap: keys and values differ in length")
    return {to_string(k): v for k, v in zip(keys, values)}


@fn("coalescelist", unknown="self")
def _coalescelist(*lists: Any) -> Any:
    for item in lists:
        if isinstance(item, Unknown):
            return UNKNOWN
        if _list(item):
            return item
    raise EvalError("coalescelist: no non-empty list")


@fn("one", unknown="top")
def _one(lst: Any) -> Any:
    if lst is None:
        return None
    lst = _list(lst)
    if len(lst) > 1:
        raise EvalError("one: more than one element")
    return lst[0] if lst else None


@fn("chunklist")
def _chunklist(lst: Any, size: Any) -> list:
    lst, n = _list(lst), _int(size)
    return [lst] if n == 0 else [lst[i : i + n] for i in range(0, len(lst), n)]


@fn("setunion")
def _setunion(*sets: Any) -> list:
    return set_of([x for s in sets for x in _list(s)])


@fn("setintersection")
def _setintersection(first: Any, *rest: Any) -> list:
    others = [{value_key(y) for y in _list(r)} for r in rest]
    return set_of([x for x in _list(first) if all(value_key(x) in o for o in others)])


@fn("setsubtract")
def _setsubtract(a: Any, b: Any) -> list:
    drop = {value_key(y) for y in _list(b)}
    return set_of([x for x in _list(a) if value_key(x) not in drop])


@fn("setproduct")
def _setproduct(*sets: Any) -> list:
    total = 1
    for s in sets:
        total *= len(_list(s))
        _cap(total * max(1, len(sets)), "setproduct")
    out: list = [[]]
    for s in sets:
        out = [prev + [x] for prev in out for x in _list(s)]
    return out


@fn("alltrue")
def _alltrue(lst: Any) -> bool:
    return all(to_bool(x) for x in _list(lst))


@fn("anytrue")
def _anytrue(lst: Any) -> bool:
    return any(to_bool(x) for x in _list(lst))


@fn("sum")
def _sum(lst: Any) -> Any:
    return norm_number(sum(to_number(x) for x in _list(lst)))


@fn("transpose")
def _transpose(m: Any) -> dict:
    out: dict[str, list] = {}
    for k, vals in _map(m).items():
        for v in _list(vals):
            out.setdefault(to_string(v), []).append(k)
    return {k: sorted(v) for k, v in out.items()}


# ------------------------------------------------------------------------- strings


@fn("format")
def _format(spec: Any, *args: Any) -> str:
    return format_string(to_string(spec), list(args))


@fn("formatlist")
def _formatlist(spec: Any, *args: Any) -> list:
    spec = to_string(spec)
    lengths = {len(a) for a in args if isinstance(a, list)}
    if len(lengths) > 1:
        raise EvalError("formatlist: lists of different lengths")
    n = lengths.pop() if lengths else 1
    _cap(n * max(1, len(spec)), "formatlist")
    return [format_string(spec, [a[i] if isinstance(a, list) else a for a in args]) for i in range(n)]


_VERB = re.compile(r"%(?:\[(\d+)\])?([-+# 0]*)(\d+)?(?:\.(\d+))?([a-zA-Z%])")


def format_string(spec: str, args: list) -> str:
    out: list[str] = []
    pos = 0
    nxt = 0
    for m in _VERB.finditer(spec):
        out.append(spec[pos : m.start()])
        pos = m.end()
        explicit, flags, width, prec, verb = m.groups()
        if (width and len(width) > 8) or (prec and len(prec) > 8):
            raise TooBig("format: a width or precision of more than 8 digits")
        _cap(int(width or 0) + int(prec or 0) + sum(len(x) for x in out), "format")
        if verb == "%":
            out.append("%")
            continue
        idx = int(explicit) - 1 if explicit else nxt
        nxt = idx + 1
        if idx >= len(args):
            raise EvalError("format: not enough arguments")
        arg = args[idx]
        if verb == "v":
            text = json_encode(arg) if isinstance(arg, (list, dict)) or "#" in flags else to_string(arg)
        elif verb == "s":
            text = to_string(arg)
        elif verb == "q":
            text = json_encode(to_string(arg))
        elif verb == "t":
            text = "true" if to_bool(arg) else "false"
        elif verb in "dboxX":
            n = to_number(arg)
            if isinstance(n, float) and not n.is_integer():
                raise EvalError(f"format: %{verb} of a fractional number")
            text = format(int(n), {"d": "d", "b": "b", "o": "o", "x": "x", "X": "X"}[verb])
        elif verb in "eEfgG":
            text = format(float(to_number(arg)), f".{prec}{verb}" if prec else verb)
            prec = None
        else:
            raise EvalError(f"format: unsupported verb %{verb}")
        if prec is not None and verb in "sv":
            text = text[: int(prec)]
        if width:
            fill = "0" if "0" in flags and "-" not in flags and verb not in "sqvt" else " "
            text = text.ljust(int(width)) if "-" in flags else text.rjust(int(width), fill)
        if "+" in flags and verb in "deEfgG" and not text.startswith("-"):
            text = "+" + text
        out.append(text)
    out.append(spec[pos:])
    return "".join(out)


@fn("join")
def _join(sep: Any, *lists: Any) -> str:
    sep = to_string(sep)
    items = [to_string(x, "list element") for lst in lists for x in _list(lst)]
    return sep.join(items)


@fn("split")
def _split(sep: Any, s: Any) -> list:
    sep, s = to_string(sep), to_string(s)
    if sep == "":
        return list(s)
    return s.split(sep)


@fn("lower")
def _lower(s: Any) -> str:
    return to_string(s).lower()


@fn("upper")
def _upper(s: Any) -> str:
    return to_string(s).upper()


@fn("title")
def _title(s: Any) -> str:
    return re.sub(r"\b([a-z])", lambda m: m.group(1).upper(), to_string(s))


@fn("strrev")
def _strrev(s: Any) -> str:
    return to_string(s)[::-1]


@fn("trimspace")
def _trimspace(s: Any) -> str:
    return to_string(s).strip()


@fn("trim")
def _trim(s: Any, cutset: Any) -> str:
    return to_string(s).strip(to_string(cutset))


@fn("trimprefix")
def _trimprefix(s: Any, prefix: Any) -> str:
    return to_string(s).removeprefix(to_string(prefix))


@fn("trimsuffix")
def _trimsuffix(s: Any, suffix: Any) -> str:
    return to_string(s).removesuffix(to_string(suffix))


@fn("chomp")
def _chomp(s: Any) -> str:
    return to_string(s).rstrip("\r\n")


@fn("indent")
def _indent(n: Any, s: Any) -> str:
    s = to_string(s)
    width = _int(n)
    _cap(len(s) + max(0, width) * s.count("\n"), "indent")
    pad = " " * width
    return s.replace("\n", "\n" + pad)


@fn("startswith")
def _startswith(s: Any, prefix: Any) -> bool:
    return to_string(s).startswith(to_string(prefix))


@fn("endswith")
def _endswith(s: Any, suffix: Any) -> bool:
    return to_string(s).endswith(to_string(suffix))


@fn("strcontains")
def _strcontains(s: Any, sub: Any) -> bool:
    return to_string(sub) in to_string(s)


@fn("substr")
def _substr(s: Any, offset: Any, length: Any) -> str:
    s = to_string(s)
    off, n = _int(offset), _int(length)
    if off < 0:
        off += len(s)
    if off < 0 or off > len(s):
        raise EvalError("substr: offset out of range")
    return s[off:] if n < 0 else s[off : off + n]


_RE2_OPTIONS = None


def _go_regex(pattern: str) -> Any:
    """Terraform's regular expressions are Go's, that is RE2: google-re2 compiles the
    same syntax and matches in time linear in the input (Python's `re` backtracks:
    `(a+)+b` on a long run of a's would hang the scan)."""
    global _RE2_OPTIONS
    import re2

    if _RE2_OPTIONS is None:
        options = re2.Options()
        options.log_errors = False  # RE2 would print the pattern on stderr
        options.max_mem = 64 * 1024 * 1024
        _RE2_OPTIONS = options
    try:
        return re2.compile(pattern, options=_RE2_OPTIONS)
    except re2.error:
        raise EvalError("invalid regular expression") from None


def _match_value(m: Any) -> Any:
    if m.re.groupindex:
        return {name: m.group(name) for name in m.re.groupindex}
    if m.re.groups:
        return list(m.groups())
    return m.group(0)


@fn("regex")
def _regex(pattern: Any, s: Any) -> Any:
    m = _go_regex(to_string(pattern)).search(to_string(s))
    if m is None:
        raise EvalError("regex: no match")
    return _match_value(m)


@fn("regexall")
def _regexall(pattern: Any, s: Any) -> list:
    return [_match_value(m) for m in _go_regex(to_string(pattern)).finditer(to_string(s))]


@fn("replace")
def _replace(s: Any, old: Any, new: Any) -> str:
    s, old, new = to_string(s), to_string(old), to_string(new)
    if len(old) > 1 and old.startswith("/") and old.endswith("/"):
        pattern = _go_regex(old[1:-1])
        if len(new) > 1:
            _cap(len(s) + len(new) * (len(s) + 1), "replace")
        repl = re.sub(r"\$\{?(\w+)\}?", lambda m: f"\\g<{m.group(1)}>", new.replace("\\", "\\\\"))
        return pattern.sub(repl, s)
    if old:
        _cap(len(s) + (len(new) - len(old)) * s.count(old), "replace")
    else:
        _cap(len(s) + len(new) * (len(s) + 1), "replace")
    return s.replace(old, new)


@fn("basename")
def _basename(p: Any) -> str:
    p = to_string(p).rstrip("/")
    return p.rsplit("/", 1)[-1] if p else "."


@fn("dirname")
def _dirname(p: Any) -> str:
    p = to_string(p)
    head = p.rsplit("/", 1)[0] if "/" in p else "."
    return head or "/"


# ------------------------------------------------------------------------- numbers


@fn("abs")
def _abs(n: Any) -> Any:
    return abs(to_number(n))


@fn("ceil")
def _ceil(n: Any) -> int:
    return math.ceil(to_number(n))


@fn("floor")
def _floor(n: Any) -> int:
    return math.floor(to_number(n))


@fn("max")
def _max(*ns: Any) -> Any:
    return max(to_number(n) for n in ns)


@fn("min")
def _min(*ns: Any) -> Any:
    return min(to_number(n) for n in ns)


@fn("pow")
def _pow(a: Any, b: Any) -> Any:
    return norm_number(float(to_number(a)) ** to_number(b))


@fn("signum")
def _signum(n: Any) -> int:
    v = to_number(n)
    return (v > 0) - (v < 0)


@fn("log")
def _log(n: Any, base: Any) -> Any:
    return norm_number(math.log(to_number(n), to_number(base)))


@fn("parseint")
def _parseint(s: Any, base: Any) -> int:
    return int(to_string(s), _int(base))


# ------------------------------------------------------------------------- network


@fn("cidrsubnet")
def _cidrsubnet(prefix: Any, newbits: Any, netnum: Any) -> str:
    net = ipaddress.ip_network(to_string(prefix), strict=False)
    new_prefix = net.prefixlen + _int(newbits)
    if new_prefix > net.max_prefixlen:
        raise EvalError("cidrsubnet: not enough bits")
    size = 1 << (net.max_prefixlen - new_prefix)
    n = _int(netnum)
    if n < 0 or n >= 1 << _int(newbits):
        raise EvalError("cidrsubnet: netnum out of range")
    base = int(net.network_address) + n * size
    return str(ipaddress.ip_network((base, new_prefix)))


@fn("cidrsubnets")
def _cidrsubnets(prefix: Any, *newbits: Any) -> list:
    net = ipaddress.ip_network(to_string(prefix), strict=False)
    out = []
    cursor = int(net.network_address)
    for bits in newbits:
        plen = net.prefixlen + _int(bits)
        size = 1 << (net.max_prefixlen - plen)
        cursor = (cursor + size - 1) // size * size
        out.append(str(ipaddress.ip_network((cursor, plen))))
        cursor += size
    return out


@fn("cidrhost")
def _cidrhost(prefix: Any, hostnum: Any) -> str:
    net = ipaddress.ip_network(to_string(prefix), strict=False)
    n = _int(hostnum)
    addr = (int(net.broadcast_address) + 1 + n) if n < 0 else int(net.network_address) + n
    if not (int(net.network_address) <= addr <= int(net.broadcast_address)):
        raise EvalError("cidrhost: host number out of range")
    return str(ipaddress.ip_address(addr))


@fn("cidrnetmask")
def _cidrnetmask(prefix: Any) -> str:
    return str(ipaddress.ip_network(to_string(prefix), strict=False).netmask)


# ------------------------------------------------------------------------- apply-time values

# Known only during apply: the result is unknown, which is Terraform's own answer.
for _name in ("timestamp", "uuid", "bcrypt"):
    FUNCTIONS[_name] = (lambda *a: UNKNOWN, "self")
