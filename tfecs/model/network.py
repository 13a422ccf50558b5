"""Network: security groups and their rules, load balancers and listeners, VPCs, endpoints."""

from __future__ import annotations

import ipaddress
from typing import ClassVar

from pydantic import Field

from .base import Model, Path, Resource, block

WORLD = frozenset({"0.0.0.0/0", "::/0"})


def _is_world(cidr: str) -> bool:
    if cidr in WORLD:
        return True
    try:
        return ipaddress.ip_network(cidr, strict=False).prefixlen == 0
    except ValueError:
        return False


class IngressRule(Model):
    """One ingress permission, wherever it was declared (inline block or rule resource)."""

    declared_by: Resource
    path: Path  # where in declared_by: ("ingress", 2) or () for a rule resource
    from_port: int | None = None
    to_port: int | None = None
    protocol: str | None = None  # "-1" for all; names or numbers otherwise
    cidrs: tuple[str, ...] = ()
    cidrs_unknown: bool = False
    security_group_address: str | None = None  # the group it belongs to, when known

    @property
    def all_protocols(self) -> bool:
        return str(self.protocol).lower() in ("-1", "all")

    @property
    def world_cidrs(self) -> tuple[str, ...]:
        return tuple(c for c in self.cidrs if _is_world(c))

    @property
    def is_world_open(self) -> bool:
        return bool(self.world_cidrs)

    def ports(self) -> tuple[int, int]:
        """The port range it admits; all protocols (or 0-0 on tcp/udp-less rules) means all."""
        if self.all_protocols or self.from_port is None or self.to_port is None:
            return (0, 65535)
        lo, hi = self.from_port, self.to_port
        if lo == -1 or hi == -1:  # ICMP type/code "any"
            return (0, 65535) if str(self.protocol) not in ("icmp", "1", "icmpv6", "58") else (lo, hi)
        return (min(lo, hi), max(lo, hi))

    def admits_only(self, allowed: frozenset[int]) -> bool:
        lo, hi = self.ports()
        return hi - lo < 65535 and all(p in allowed for p in range(lo, hi + 1))


class SecurityGroup(Resource):
    TYPES: ClassVar[tuple[str, ...]] = ("aws_security_group", "aws_default_security_group")
    name: str | None = None
    vpc_id: str | None = None
    ingress: tuple[dict, ...] = ()


class SecurityGroupRule(Resource):
    TYPES: ClassVar[tuple[str, ...]] = ("aws_security_group_rule",)
    rule_type: str | None = Field(None, alias="type")
    from_port: int | None = None
    to_port: int | None = None
    protocol: str | None = None
    cidr_blocks: tuple[str, ...] = ()
    ipv6_cidr_blocks: tuple[str, ...] = ()
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
