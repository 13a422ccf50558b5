"""`data "aws_iam_policy_document"` rendered as the AWS provider renders its `json` during
plan (issue 12, item 4), so that a policy built from one is known before apply.

Order of the merge, as the provider does it: `source_json`, then each of
`source_policy_documents` (a non-empty Sid may appear only once across them), then the
document's own `statement` blocks, then each of `override_policy_documents`, then
`override_json`. Each merge step replaces a statement with the same non-empty Sid in
place and appends the others; statements without a Sid are always appended. Within the
blocks a Sid may appear only once. A single-element action/resource set is a string,
larger ones a list in reverse order; `&{` in resources is `${`; principals of one type
are merged, and `"*"`/`["*"]` is `"Principal": "*"`.

A document with unknown parts is an Unknown carrying the decoded document (the model
reads unknown leaves inside policy documents); one whose merged inputs are wholly
unknown is UNKNOWN.
"""

from __future__ import annotations

import json
from typing import Any

from .values import UNKNOWN, EvalError, Lazy, Rejected, Unknown, decode_partial, has_unknown

_STRING_LISTS = (
    ("actions", "Action"),
    ("not_actions", "NotAction"),
    ("resources", "Resource"),
    ("not_resources", "NotResource"),
)


def render(values: dict) -> Any:
    """The `json` of a policy document data source from its evaluated arguments."""
    merged: dict = {"Version": "", "Statement": []}
    source = values.get("source_json")
    if source is not None:
        doc = _document(source)
        if doc is UNKNOWN:
            return UNKNOWN
        _merge(merged, doc)
    sources = values.get("source_policy_documents")
    if sources is not None:
        if isinstance(sources, (Unknown, Lazy)):
            return UNKNOWN
        seen = {st.get("Sid") for st in merged["Statement"] if isinstance(st, dict) and st.get("Sid")}
        for text in sources:
            if text is None:
                continue
            doc = _document(text)
            if doc is UNKNOWN:
                return UNKNOWN
            for st in doc.get("Statement", []):
                sid = st.get("Sid") if isinstance(st, dict) else None
                if isinstance(sid, str) and sid:
                    if sid in seen:
                        raise Rejected(f"duplicate Sid ({sid}) in source_policy_documents")
                    seen.add(sid)
            _merge(merged, doc)
    own = _own(values)
    if own is UNKNOWN:
        return UNKNOWN
    _merge(merged, own)
    for name in ("override_policy_documents",):
        docs = values.get(name)
        if docs is None:
            continue
        if isinstance(docs, (Unknown, Lazy)):
            return UNKNOWN
        for text in docs:
            if text is None:
                continue
            doc = _document(text)
            if doc is UNKNOWN:
                return UNKNOWN
            _merge(merged, doc)
    override = values.get("override_json")
    if override is not None:
        doc = _document(override)
        if doc is UNKNOWN:
            return UNKNOWN
        _merge(merged, doc)
    out: dict = {"Version": merged["Version"] or "2012-10-17"}
    if merged.get("Id"):
        out["Id"] = merged["Id"]
    out["Statement"] = merged["Statement"]
    if has_unknown(out):
        return Unknown(decoded=out)
    return json.dumps(out, indent=2)


def _document(text: Any) -> Any:
    """A JSON policy argument as a dict with a list of statements, or UNKNOWN."""
    if isinstance(text, Lazy):
        return UNKNOWN
    if isinstance(text, Unknown):
        decoded = decode_partial(text)
        if isinstance(decoded, Unknown) or not isinstance(decoded, dict):
            return UNKNOWN
        doc = decoded
    elif isinstance(text, str):
        if not text.strip():
            return {"Statement": []}
        try:
            doc = json.loads(text)
        except ValueError:
            raise Rejected("a policy document to merge is not valid JSON") from None
    else:
        raise EvalError("a policy document must be a JSON string")
    if not isinstance(doc, dict):
        raise Rejected("a policy document to merge is not a JSON object")
    statements = doc.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list):
        return UNKNOWN
    out = {"Statement": [_ordered(st) for st in statements]}
    for key in ("Version", "Id"):
        if key in doc:
            out[key] = doc[key]
    return out


_KEY_ORDER = ("Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Principal", "NotPrincipal", "Condition")


def _ordered(st: Any) -> Any:
    """A statement's keys in the provider's order (it re-marshals what it merges)."""
    if not isinstance(st, dict):
        return st
    out = {k: st[k] for k in _KEY_ORDER if k in st}
    out.update((k, v) for k, v in st.items() if k not in out)
    return out


def _merge(base: dict, new: dict) -> None:
    if new.get("Id"):
        base["Id"] = new["Id"]
    version = new.get("Version")
    if isinstance(version, str) and isinstance(base.get("Version"), str) and version > base["Version"]:
        base["Version"] = version
    for st in new.get("Statement", []):
        sid = st.get("Sid") if isinstance(st, dict) else None
        if not isinstance(sid, str) or not sid:
            base["Statement"].append(st)
            continue
        for i, existing in enumerate(base["Statement"]):
            if isinstance(existing, dict) and existing.get("Sid") == sid:
                base["Statement"][i] = st
                break
        else:
            base["Statement"].append(st)


def _own(values: dict) -> Any:
    doc: dict = {"Version": values.get("version") or "2012-10-17", "Statement": []}
    if isinstance(doc["Version"], Unknown):
        return UNKNOWN
    if values.get("policy_id"):
        doc["Id"] = values["policy_id"]
    blocks = values.get("statement") or []
    if isinstance(blocks, (Unknown, Lazy)):
        return UNKNOWN
    sids: set = set()
    for block in blocks:
        if not isinstance(block, dict):
            return UNKNOWN
        st: dict = {}
        sid = block.get("sid")
        if isinstance(sid, Unknown):
            return UNKNOWN  # a Sid decides the merge
        if sid:
            if sid in sids:
                raise Rejected(f"found duplicate sid ({sid}) in the statement blocks")
            sids.add(sid)
            st["Sid"] = sid
        effect = block.get("effect")
        st["Effect"] = "Allow" if effect is None else effect
        for arg, key in _STRING_LISTS:
            items = block.get(arg)
            if items is None:
                continue
            if isinstance(items, (Unknown, Lazy)):
                st[key] = UNKNOWN
                continue
            if not items:
                continue
            if key in ("Resource", "NotResource"):
                items = [i.replace("&{", "${") if isinstance(i, str) else i for i in items]
            st[key] = _string_or_list(items)
        for arg, key in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
            principals = block.get(arg)
            if principals:
                st[key] = _principals(principals)
        conditions = block.get("condition")
        if conditions:
            st["Condition"] = _conditions(conditions)
        doc["Statement"].append(st)
    return doc


def _string_or_list(items: list) -> Any:
    """One string alone, more as a list. One unknown element stays a one-element list:
    IAM reads both alike, and the model reads an unknown list element as one value
    computed at apply, where a wholly unknown value could be any list."""
    if len(items) == 1 and not isinstance(items[0], (Unknown, Lazy)):
        return items[0]
    known = sorted((i for i in items if isinstance(i, str)), reverse=True)
    return known + [i for i in items if not isinstance(i, str)]


def _principals(blocks: Any) -> Any:
    if isinstance(blocks, (Unknown, Lazy)):
        return UNKNOWN
    by_type: dict = {}
    for b in blocks:
        if not isinstance(b, dict):
            return UNKNOWN
        ptype, ids = b.get("type"), b.get("identifiers")
        if isinstance(ptype, Unknown) or isinstance(ids, (Unknown, Lazy)):
            return UNKNOWN
        by_type.setdefault(ptype, []).extend(ids or [])
    if list(by_type) == ["*"] and by_type["*"] == ["*"]:
        return "*"
    return {t: _string_or_list(ids) for t, ids in by_type.items()}


def _conditions(blocks: Any) -> Any:
    if isinstance(blocks, (Unknown, Lazy)):
        return UNKNOWN
    out: dict = {}
    for b in blocks:
        if not isinstance(b, dict):
            return UNKNOWN
        test, variable, values = b.get("test"), b.get("variable"), b.get("values")
        if isinstance(test, Unknown) or isinstance(variable, Unknown):
            return UNKNOWN
        if isinstance(values, (Unknown, Lazy)):
            out.setdefault(test, {})[variable] = UNKNOWN
            continue
        out.setdefault(test, {})[variable] = _string_or_list(list(values or []))
    return out
