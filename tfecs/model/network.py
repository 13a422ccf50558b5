"""Network: security groups and their rules, load balancers and listeners, VPCs, endpoints."""

from __future__ import annotations

import dataclasses
import functools
import ipaddress
from typing import ClassVar

from pydantic import ConfigDict, Field

from .base import Model, Path, Resource, block

WORLD = frozenset({"0.0.0.0/0", "::/0"})


@functools.lru_cache(maxsize=4096)
def _is_world(cidr: str) -> bool:
    if cidr in WORLD:
        return True
    try:
        return ipaddress.ip_network(cidr, strict=False).prefixlen == 0
    except ValueError:
        return False


# Protocol numbers Terraform accepts in place of names.
_PROTOCOL_NAMES = {"-1": "all", "all": "all", "6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6"}


@dataclasses.dataclass(frozen=True, slots=True)
class IngressRule:
    """One ingress permission, wherever it was declared (inline block or rule resource).
    Made from typed resources whose fields are already validated: a plain dataclass (a
    pydantic model validated each of thousands again, the rule's main cost)."""

    declared_by: Resource
    path: Path  # where in declared_by: ("ingress", 2) or () for a rule resource
    from_port: int | None = None
    to_port: int | None = None
    protocol: str | None = None  # "-1" for all; names or numbers otherwise
    cidrs: tuple[str, ...] = ()
    cidrs_unknown: bool = False
    security_group_address: str | None = None  # the group it belongs to, when known
    # Rule resources: the attribute that holds each CIDR (("cidr_blocks", "0.0.0.0/0")),
    # and the CIDR attributes known only after apply, so findings point at them.
    cidr_attrs: tuple[tuple[str, str], ...] = ()
    unknown_attrs: tuple[str, ...] = ()
    ports_unknown: bool = False  # protocol or port range known only after apply
    # `tcp`, `udp`, `icmp`, `icmpv6`, `all`, or the protocol number as written (worked
    # out once: the rules ask it of every permission several times).
    protocol_name: str = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        text = str(self.protocol).lower() if self.protocol is not None else "all"
        object.__setattr__(self, "protocol_name", _PROTOCOL_NAMES.get(text, text))

    @property
    def all_protocols(self) -> bool:
        return str(self.protocol).lower() in ("-1", "all")

    @property
    def is_icmp(self) -> bool:
        """ICMP has types and codes, not ports."""
        return self.protocol_name in ("icmp", "icmpv6")

    @property
    def world_cidrs(self) -> tuple[str, ...]:
        return tuple(c for c in self.cidrs if _is_world(c))

    @property
    def is_world_open(self) -> bool:
        return bool(self.world_cidrs)

    def ports(self) -> tuple[int, int]:
        """The port range it admits; all protocols (or 0-0 on tcp/udp-less rules) means all.
        Protocols other than tcp, udp and icmp have no ports: AWS admits all of them."""
        if self.all_protocols or self.from_port is None or self.to_port is None:
            return (0, 65535)
        if not self.is_icmp and self.protocol_name not in ("tcp", "udp"):
            return (0, 65535)
        lo, hi = self.from_port, self.to_port
        if lo == -1 or hi == -1:  # ICMP type/code "any"
            return (0, 65535) if str(self.protocol) not in ("icmp", "1", "icmpv6", "58") else (lo, hi)
        return (min(lo, hi), max(lo, hi))

    def admits_only(self, allowed: frozenset[int]) -> bool:
        lo, hi = self.ports()
        return hi - lo < 65535 and all(p in allowed for p in range(lo, hi + 1))

    def blame_path(self, cidrs: tuple[str, ...] = ()) -> Path:
        """Where a finding about these CIDRs points: the inline block (`ingress[2]`), or
        the rule resource's attribute that holds the first of them (`cidr_blocks`)."""
        if self.path:
            return self.path
        for attr, cidr in self.cidr_attrs:
            if cidr in cidrs:
                return (attr,)
        return (self.unknown_attrs[0],) if self.unknown_attrs else ()


class IngressBlock(Model):
    """An inline `ingress` block of a security group (unknown list elements are null)."""

    model_config = ConfigDict(frozen=True, extra="ignore", coerce_numbers_to_str=True)
    from_port: int | None = None
    to_port: int | None = None
    protocol: str | None = None
    cidr_blocks: tuple[str | None, ...] = ()
    ipv6_cidr_blocks: tuple[str | None, ...] = ()


class SecurityGroup(Resource):
    TYPES: ClassVar[tuple[str, ...]] = ("aws_security_group", "aws_default_security_group")
    name: str | None = None
    vpc_id: str | None = None
    ingress: tuple[IngressBlock, ...] = ()


class SecurityGroupRule(Resource):
    TYPES: ClassVar[tuple[str, ...]] = ("aws_security_group_rule",)
    rule_type: str | None = Field(None, alias="type")
    from_port: int | None = None
    to_port: int | None = None
    protocol: str | None = None
    # None: an element known only after apply (`[var.office, aws_vpc.x.cidr_block]`).
    cidr_blocks: tuple[str | None, ...] = ()
    ipv6_cidr_blocks: tuple[str | None, ...] = ()
    security_group_id: str | None = None


class VpcSecurityGroupIngressRule(Resource):
    TYPES: ClassVar[tuple[str, ...]] = ("aws_vpc_security_group_ingress_rule",)
    security_group_id: str | None = None
    from_port: int | None = None
    to_port: int | None = None
    ip_protocol: str | None = None
    cidr_ipv4: str | None = None
    cidr_ipv6: str | None = None


class LoadBalancer(Resource):
    TYPES: ClassVar[tuple[str, ...]] = ("aws_lb", "aws_alb")
    name: str | None = None
    arn: str | None = None
    load_balancer_type: str | None = None
    internal: bool | None = None
    drop_invalid_header_fields: bool | None = None

    @property
    def is_application(self) -> bool:
        return (self.load_balancer_type or "application") == "application"


# ELB security policies that allow only TLS 1.2 and later, with forward secrecy on every
# cipher (ECDHE key exchange, or TLS 1.3). Read from the cipher tables of "Security
# policies for your Application Load Balancer": the plain TLS-1-2-* and TLS13-1-2-Ext1/
# Ext2 policies also offer RSA key exchange (AES128-GCM-SHA256 ...) and are left out.
FORWARD_SECRECY_TLS_POLICIES = frozenset(
    {
        "ELBSecurityPolicy-TLS13-1-3-2021-06",
        "ELBSecurityPolicy-TLS13-1-2-2021-06",
        "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
        "ELBSecurityPolicy-FS-1-2-2019-08",
        "ELBSecurityPolicy-FS-1-2-Res-2019-08",
        "ELBSecurityPolicy-FS-1-2-Res-2020-10",
        "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
        "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
        "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04",
        "ELBSecurityPolicy-TLS13-1-2-Ext0-FIPS-2023-04",
        "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09",
        "ELBSecurityPolicy-TLS13-1-2-PQ-2025-09",
        "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
        "ELBSecurityPolicy-TLS13-1-3-FIPS-PQ-2025-09",
        "ELBSecurityPolicy-TLS13-1-2-FIPS-PQ-2025-09",
        "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-PQ-2025-09",
        "ELBSecurityPolicy-TLS13-1-2-Ext0-FIPS-PQ-2025-09",
    }
)
# What AWS applies to an HTTPS/TLS listener created without `ssl_policy` (API, Terraform).
DEFAULT_TLS_POLICY = "ELBSecurityPolicy-2016-08"


class ListenerAction(Model):
    type: str | None = None
    redirect: tuple[dict, ...] = ()

    @property
    def redirects_to_https(self) -> bool:
        return (self.type or "") == "redirect" and str(block(self.redirect).get("protocol", "")).upper() == "HTTPS"


class Listener(Resource):
    TYPES: ClassVar[tuple[str, ...]] = ("aws_lb_listener", "aws_alb_listener")
    load_balancer_arn: str | None = None
    port: int | None = None
    protocol: str | None = None
    ssl_policy: str | None = None
    default_action: tuple[ListenerAction, ...] = ()

    @property
    def terminates_tls(self) -> bool:
        return (self.protocol or "").upper() in ("HTTPS", "TLS")

    def effective_protocol(self, load_balancers: list[LoadBalancer]) -> str | None:
        """The protocol in upper case; unset is HTTP (the Application Load Balancer
        default), except on a Gateway Load Balancer, whose listeners have none."""
        if self.protocol:
            return self.protocol.upper()
        if any((lb.load_balancer_type or "") == "gateway" for lb in load_balancers):
            return None
        return "HTTP"

    @property
    def redirects_to_https(self) -> bool:
        return any(a.redirects_to_https for a in self.default_action)


class Vpc(Resource):
    TYPES: ClassVar[tuple[str, ...]] = ("aws_vpc", "aws_default_vpc")
    cidr_block: str | None = None


class Subnet(Resource):
    TYPES: ClassVar[tuple[str, ...]] = ("aws_subnet",)
    vpc_id: str | None = None


class VpcEndpoint(Resource):
    TYPES: ClassVar[tuple[str, ...]] = ("aws_vpc_endpoint",)
    vpc_id: str | None = None
    service_name: str | None = None
    vpc_endpoint_type: str | None = None

    @property
    def service(self) -> str:
        """`com.amazonaws.us-east-1.ecr.dkr` -> `ecr.dkr`."""
        name = self.service_name or ""
        parts = name.split(".")
        return ".".join(parts[3:]) if name.startswith("com.amazonaws.") and len(parts) > 3 else name
