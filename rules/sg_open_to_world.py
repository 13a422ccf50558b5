from __future__ import annotations

from typing import Iterator

from tfecs.model.inventory import Inventory
from tfecs.model.network import IngressRule, SecurityGroup, SecurityGroupRule, VpcSecurityGroupIngressRule
from tfecs.rule import Finding, Rule, RuleMeta, RuleOption, Severity

# Ports that may be open to the whole internet (a public load balancer's HTTP and HTTPS),
# as in Security Hub EC2.18 (authorizedTcpPorts 80,443; no UDP port). The options
# `allowed_ports` / `allowed_udp_ports` replace them.
ALLOWED_TCP_PORTS: frozenset[int] = frozenset({80, 443})
ALLOWED_UDP_PORTS: frozenset[int] = frozenset()


def allowed_ports(rule: IngressRule, tcp: frozenset[int] | None = None, udp: frozenset[int] | None = None) -> frozenset[int]:
    if rule.protocol_name == "udp":
        return ALLOWED_UDP_PORTS if udp is None else udp
    if rule.protocol_name == "tcp":
        return ALLOWED_TCP_PORTS if tcp is None else tcp
    return frozenset()


class SgOpenToWorld(Rule):
    """
    ## What it does
    Flags ingress from anywhere (`0.0.0.0/0` or `::/0`) on any port outside the allowed
    list (TCP 80 and 443 by default). Protocol `-1` means every port of every protocol.
    It reads every place an ingress rule can be declared: inline `ingress` blocks of
    `aws_security_group` (and `aws_default_security_group`), `aws_security_group_rule`
    with `type = "ingress"`, and `aws_vpc_security_group_ingress_rule`. The finding is on
    the resource that declares the rule: `ingress[2]` of the group, or the rule
    resource's `cidr_blocks` / `ipv6_cidr_blocks` / `cidr_ipv4` / `cidr_ipv6`. ICMP rules
    have no ports and are not reported. A CIDR known only after apply gives an unknown
    finding unless the rule only admits allowed ports anyway.

    ## Why is this bad?
    A port open to the internet is scanned within minutes: SSH, RDP, databases, admin
    consoles and debug ports are brute-forced or exploited directly. Only a public load
    balancer needs to accept the internet; the tasks behind it should admit only the load
    balancer's security group.

    ## Example
    ```hcl
    resource "aws_security_group" "app" {
      ingress {
        from_port   = 22
        to_port     = 22
        protocol    = "tcp"
        cidr_blocks = ["0.0.0.0/0"]
      }
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_security_group" "app" {
      ingress {
        from_port       = 8080
        to_port         = 8080
        protocol        = "tcp"
        security_groups = [aws_security_group.lb.id]
      }
    }
    ```
    Reach instances with ECS Exec or Session Manager instead of opening SSH.

    ## References
    - https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-18
    - https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-19
    - https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-53
    - https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-54
    """

    meta = RuleMeta(
        id="sg-open-to-world",
        title="security group open to the internet",
        severity=Severity.HIGH,
        practice=2,
        controls=("EC2.18", "EC2.19", "EC2.53", "EC2.54"),
        resource_types=(
            SecurityGroup.TYPES + SecurityGroupRule.TYPES + VpcSecurityGroupIngressRule.TYPES
        ),
        remediation="Admit only the load balancer's security group or known CIDRs; keep 0.0.0.0/0 and ::/0 to ports 80/443 of a public load balancer.",
    )
    OPTIONS = (
        RuleOption("allowed_ports", "list[int]", sorted(ALLOWED_TCP_PORTS), "TCP ports that may be open to the world, replacing the default.", minimum=0, maximum=65535),
        RuleOption("allowed_udp_ports", "list[int]", sorted(ALLOWED_UDP_PORTS), "UDP ports that may be open to the world, replacing the default.", minimum=0, maximum=65535),
    )

    def check(self, inv: Inventory) -> Iterator[Finding]:
        tcp, udp = self.option("allowed_ports"), self.option("allowed_udp_ports")
        tcp = frozenset(tcp) if tcp is not None else None  # type: ignore[arg-type]
        udp = frozenset(udp) if udp is not None else None  # type: ignore[arg-type]
        for rule in inv.ingress_rules():
            if rule.is_icmp:
                continue
            allowed = allowed_ports(rule, tcp, udp)
            world = rule.world_cidrs
            if world:
                if rule.ports_unknown:
                    yield self.unknown(rule.declared_by, rule.blame_path(world))
                elif not rule.admits_only(allowed):
                    yield self.fail(rule.declared_by, rule.blame_path(world), _message(rule, world))
            elif rule.cidrs_unknown and (rule.ports_unknown or not rule.admits_only(allowed)):
                yield self.unknown(rule.declared_by, rule.blame_path())


def _message(rule: IngressRule, world: tuple[str, ...]) -> str:
    lo, hi = rule.ports()
    if rule.all_protocols:
        what = "all traffic (protocol -1)"
    elif rule.protocol_name not in ("tcp", "udp"):
        what = f"all of protocol {rule.protocol_name}"
    elif (lo, hi) == (0, 65535):
        what = f"every {rule.protocol_name} port"
    elif lo == hi:
        what = f"{rule.protocol_name} port {lo}"
    else:
        what = f"{rule.protocol_name} ports {lo}-{hi}"
    owner = rule.declared_by
    if isinstance(owner, SecurityGroup):
        who = f"security group {owner.name or owner.address!r}"
    else:
        target = rule.security_group_address or owner.get("security_group_id")
        who = f"ingress rule for {target}" if target else "ingress rule"
    return f"{who} admits {' and '.join(world)} on {what}"
