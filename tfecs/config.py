"""`.tfecs.hcl`: a repository's policy, in Terraform-native syntax.

```hcl
fail_on  = "medium"                  # the --fail-on default for this repository
gate     = "changes"                 # --gate
unknown  = "warn"                    # --unknown
baseline = ".tfecs-baseline.json"    # --baseline (relative to this file)
profiles = ["ecs"]                   # stored for --profile

rule "sg-open-to-world" {
  enabled       = true
  severity      = "high"
  allowed_ports = [80, 443]          # options the rule declares (`tfecs explain <id>`)
}

ignore {
  rule    = "ecr-tag-mutable"        # an id, a prefix ("iam-") or "*"
  address = "module.legacy.aws_ecr_repository.*"   # a glob on addresses; default: every one
  reason  = "release tags are rewritten by the promotion job"   # required
  expires = "2027-03-31"             # optional
}
```

Found with `--config FILE`, else `.tfecs.hcl` in the current directory, else in the scan
root (the HCL directory or `--source`). Command-line flags beat the file, the file beats
the defaults. Every mistake (syntax, unknown key, wrong type, unknown rule or option, bad
date, missing reason) is exit 2 naming file:line: a policy that is not understood is not
applied halfway.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from . import hclscan
from .errors import TfecsError
from .suppress import Ignore, RuleIds, address_glob, parse_date

FILENAME = ".tfecs.hcl"
# A policy file is a few hundred lines; the HCL parser needs ~800 bytes of memory and
# 15 us per byte, so a 1 MiB file of one-line attributes took 14 s and 700 MB.
MAX_BYTES = 256 * 1024
SEVERITIES = ("info", "low", "medium", "high", "critical")
CHOICES = {
    "fail_on": SEVERITIES + ("none",),
    "gate": ("changes", "all"),
    "unknown": ("warn", "fail", "ignore"),
}


@dataclass(slots=True)
class RuleConfig:
    rule: str
    where: str
    enabled: bool | None = None
    severity: str | None = None
    options: dict[str, object] = field(default_factory=dict)
    option_lines: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class Config:
    path: str | None = None
    fail_on: str | None = None
    gate: str | None = None
    unknown: str | None = None
    baseline: str | None = None  # resolved against the config file's directory
    profiles: tuple[str, ...] = ()
    rules: dict[str, RuleConfig] = field(default_factory=dict)
    ignores: list[Ignore] = field(default_factory=list)
    ignore_rule_lines: list[tuple[tuple[str, ...], str]] = field(default_factory=list)
    known_ids: frozenset[str] = frozenset()  # every rule id and alias (set by resolve_rules)

    def resolve_rules(self, classes: Sequence[type]) -> None:
        """Check the `rule` blocks and ignores against the rules that exist (built-in and
        custom), and validate each option with the type its rule declares."""
        by_id: dict[str, type] = {}
        for cls in classes:
            for ident in (cls.meta.id, *cls.meta.aliases):
                by_id[ident] = cls
        resolved: dict[str, RuleConfig] = {}
        for name, rc in self.rules.items():
            cls = by_id.get(name)
            if cls is None:
                raise TfecsError(f"unknown rule {name!r} (see `tfecs rules`)", where=rc.where)
            for opt, value in rc.options.items():
                try:
                    cls.validate_options({opt: value})
                except ValueError as exc:
                    raise TfecsError(str(exc), where=rc.option_lines.get(opt, rc.where)) from None
            rc.rule = cls.meta.id
            resolved[cls.meta.id] = rc
        self.rules = resolved
        self.known_ids = frozenset(by_id)
        known = RuleIds(by_id)
        for rules, where in self.ignore_rule_lines:
            for r in rules:
                if not known.valid(r):
                    raise TfecsError(f"unknown rule {r!r} in ignore (an id, a prefix such as \"iam-\", or \"*\")", where=where)

    def rule_kwargs(self, rule_id: str) -> dict:
        """How to build the rule: its options and severity override."""
        from .rule import Severity

        rc = self.rules.get(rule_id)
        if rc is None:
            return {}
        return {"options": dict(rc.options) or None, "severity": Severity(rc.severity) if rc.severity else None}

    def disabled(self) -> set[str]:
        return {rid for rid, rc in self.rules.items() if rc.enabled is False}


def find(explicit: str | None, roots: Iterable[str]) -> str | None:
    """The config file to use: --config, else ./.tfecs.hcl, else in a scan root."""
    if explicit:
        return explicit
    for directory in (".", *roots):
        candidate = os.path.join(directory, FILENAME)
        if os.path.lexists(candidate):
            return candidate
    return None


def load(path: str) -> Config:
    text = _read(path)
    where = _display(path)
    _check_syntax(text, where)
    parsed = hclscan.scan(text)
    cfg = Config(path=where)
    seen: set[str] = set()
    for item in parsed.items:
        at = f"{where}:{item.line}"
        if item.kind == "attr":
            if item.name in seen:
                raise TfecsError(f"{item.name} is set twice", where=at)
            seen.add(item.name)
            _top_attribute(cfg, item, at, path)
        elif item.name == "rule":
            _rule_block(cfg, item, at, where)
        elif item.name == "ignore":
            _ignore_block(cfg, item, at, where)
        else:
            raise TfecsError(f"unknown block {item.name!r} (expected rule or ignore)", where=at)
    return cfg


def _read(path: str) -> str:
    try:
        st = os.stat(path)
        if not os.path.isfile(path):
            raise TfecsError("the config is not a regular file", where=path)
        if os.path.islink(path):
            # A symlink in a checked-out repository must not pull policy from elsewhere.
            home = os.path.realpath(os.path.dirname(os.path.abspath(path)))
            if not os.path.realpath(path).startswith(home + os.sep):
                raise TfecsError("the config is a symlink out of its directory", where=path)
        if st.st_size > MAX_BYTES:
            raise TfecsError(f"the config is larger than {MAX_BYTES // 1024} KiB", where=path)
        with open(path, encoding="utf-8") as fh:
            return fh.read()
    except FileNotFoundError:
        raise TfecsError("no such config file", where=path) from None
    except UnicodeDecodeError:
        raise TfecsError("the config is not UTF-8 text", where=path) from None
    except OSError as exc:
        raise TfecsError(f"cannot read the config: {exc.strerror or exc}", where=path) from None


def _display(path: str) -> str:
    rel = os.path.relpath(path) if not os.path.isabs(path) else path
    return rel if not rel.startswith("..") else path


def _check_syntax(text: str, where: str) -> None:
    import hcl2

    try:
        hcl2.parses(text)
    except Exception as exc:  # noqa: BLE001 - lark raises many kinds; all mean a syntax error
        line = getattr(exc, "line", None)
        at = f"{where}:{line}" if isinstance(line, int) and line > 0 else where
        raise TfecsError("HCL syntax error", where=at) from None


def _literal(item: hclscan.Item, at: str) -> object:
    if item.kind != "attr" or not item.literal:
        raise TfecsError(f"{item.name} must be a literal value (no variables, functions or interpolation)", where=at)
    return item.value


def _string(item: hclscan.Item, at: str, choices: Sequence[str] = ()) -> str:
    value = _literal(item, at)
    if not isinstance(value, str):
        raise TfecsError(f"{item.name} must be a string", where=at)
    if choices and value not in choices:
        raise TfecsError(f"{item.name} must be one of {', '.join(choices)}, not {value!r}", where=at)
    return value


def _top_attribute(cfg: Config, item: hclscan.Item, at: str, path: str) -> None:
    name = item.name
    if name in CHOICES:
        setattr(cfg, name, _string(item, at, CHOICES[name]))
    elif name == "baseline":
        value = _string(item, at)
        cfg.baseline = value if os.path.isabs(value) else os.path.normpath(os.path.join(os.path.dirname(path), value))
    elif name == "profiles":
        value = _literal(item, at)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise TfecsError("profiles must be a list of strings", where=at)
        cfg.profiles = tuple(value)
    else:
        raise TfecsError(f"unknown key {name!r} (expected fail_on, gate, unknown, baseline, profiles, rule or ignore blocks)", where=at)


def _rule_block(cfg: Config, item: hclscan.Item, at: str, where: str) -> None:
    if item.kind != "block" or len(item.labels) != 1:
        raise TfecsError('expected rule "<rule-id>" { … }', where=at)
    rule_id = item.labels[0]
    if rule_id in cfg.rules:
        raise TfecsError(f"rule {rule_id!r} is configured twice", where=at)
    rc = RuleConfig(rule_id, at)
    for attr in item.body:
        a_at = f"{where}:{attr.line}"
        if attr.kind != "attr":
            raise TfecsError(f"unexpected block {attr.name!r} in rule {rule_id!r}", where=a_at)
        if attr.name == "enabled":
            value = _literal(attr, a_at)
            if not isinstance(value, bool):
                raise TfecsError("enabled must be true or false", where=a_at)
            rc.enabled = value
        elif attr.name == "severity":
            rc.severity = _string(attr, a_at, SEVERITIES)
        else:
            if attr.name in rc.options:
                raise TfecsError(f"{attr.name} is set twice", where=a_at)
            rc.options[attr.name] = _literal(attr, a_at)
            rc.option_lines[attr.name] = a_at
    cfg.rules[rule_id] = rc


def _ignore_block(cfg: Config, item: hclscan.Item, at: str, where: str) -> None:
    if item.kind != "block" or item.labels:
        raise TfecsError("expected ignore { rule = …, reason = … }", where=at)
    fields: dict[str, tuple[object, str]] = {}
    for attr in item.body:
        a_at = f"{where}:{attr.line}"
        if attr.kind != "attr" or attr.name not in ("rule", "address", "reason", "expires"):
            raise TfecsError(f"unknown key {attr.name!r} in ignore (expected rule, address, reason, expires)", where=a_at)
        if attr.name in fields:
            raise TfecsError(f"{attr.name} is set twice", where=a_at)
        fields[attr.name] = (_literal(attr, a_at), a_at)
    if "rule" not in fields:
        raise TfecsError("an ignore needs rule", where=at)
    rule, r_at = fields["rule"]
    rules = (rule,) if isinstance(rule, str) else tuple(rule) if isinstance(rule, list) else None
    if not rules or not all(isinstance(r, str) and r for r in rules):
        raise TfecsError("rule must be a rule id, a prefix or \"*\" (or a list of them)", where=r_at)
    reason = fields.get("reason", (None, at))
    if not isinstance(reason[0], str) or not reason[0].strip():
        raise TfecsError("an ignore needs a reason (why the risk is accepted)", where=reason[1])
    address = None
    if "address" in fields:
        value, a_at = fields["address"]
        if not isinstance(value, str) or not value:
            raise TfecsError("address must be a non-empty string (a glob on resource addresses)", where=a_at)
        address = address_glob(value)
    expires = None
    if "expires" in fields:
        value, e_at = fields["expires"]
        expires = parse_date(value) if isinstance(value, str) else None
        if expires is None:
            raise TfecsError(f"expires must be a date YYYY-MM-DD, not {value!r}", where=e_at)
    cfg.ignores.append(Ignore(rules, reason[0].strip(), expires, at, "config", address=address))  # type: ignore[arg-type]
    cfg.ignore_rule_lines.append((rules, r_at))  # type: ignore[arg-type]


def resolve(explicit: str | None, paths: Sequence[str], source: str | None) -> Config:
    """The configuration of this run: the file found (see `find`), or an empty one."""
    roots = [p for p in paths if p != "-" and os.path.isdir(p)]
    if source:
        roots.append(source)
    path = find(explicit, roots)
    return load(path) if path else Config()


def build_suppressor(cfg: Config, rules: Sequence, *, baseline: str | None, no_ignores: bool, strict: bool):
    """The Suppressor of a scan: inline and config ignores (unless --no-ignores), and the
    baseline of --baseline or of the config file."""
    from . import baseline as baseline_mod
    from .suppress import Suppressor

    path = baseline
    if not path and cfg.baseline:
        path = cfg.baseline
        # The file is the repository's (a pull request can change it): its baseline stays
        # in the config's directory tree, through no symlink out of it.
        home = os.path.realpath(os.path.dirname(os.path.abspath(cfg.path)))
        if not os.path.realpath(path).startswith(home + os.sep):
            raise TfecsError(f"baseline {_display(path)!r} is outside the config file's directory (or a symlink out of it): not read", where=cfg.path)
    return Suppressor(
        known=cfg.known_ids,
        ran=[r.meta.id for r in rules],
        config_ignores=cfg.ignores,
        baseline=baseline_mod.load(path) if path else None,
        no_ignores=no_ignores,
        strict=strict,
    )


def options_help(rule_cls) -> str:
    """The options a rule declares, for `tfecs explain`."""
    import json

    if not rule_cls.OPTIONS:
        return ""
    lines = [f'## Options (in .tfecs.hcl: rule "{rule_cls.meta.id}" {{ … }})']
    for o in rule_cls.OPTIONS:
        extra = f" One of: {', '.join(map(str, o.choices))}." if o.choices else ""
        lines.append(f"- `{o.name}` ({o.kind}, default {json.dumps(o.default)}): {o.help}{extra}")
    return "\n".join(lines)


SUPPRESS_HELP = (
    "Suppress a finding as an accepted risk: `# tfecs:ignore:<rule-id>[:exp:YYYY-MM-DD] <reason>` above\n"
    "the resource (or module call, or attribute) in the .tf files (HCL scans and plans scanned with\n"
    "--source), or an `ignore { rule, address, reason, expires }` block in .tfecs.hcl. A plan alone has\n"
    "no comments: use the config file or --source. See docs/suppressing.md."
)
