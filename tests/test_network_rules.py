"""Network rules: the semantics a fixture alone does not pin down (how ingress rules are
read from real plans, port ranges and protocols, the configurable allow-list, listener
protocol defaults, the TLS policy list, endpoint discovery) and the exact findings on
plans made by real Terraform."""

from __future__ import annotations

import pytest
from conftest import ROOT
from planfixture import write_plan

import tfecs_rules.sg_open_to_world as sg_rule
from tfecs.model.inventory import Inventory
from tfecs.model.network import FORWARD_SECRECY_TLS_POLICIES, IngressRule, Listener, LoadBalancer, SecurityGroup
from tfecs.scan import read_input, scan, SourceOptions
from tfecs_rules import (
    EcsEfsTransitEncryptionDisabled,
    EcsNetworkModeNotAwsvpc,
    EcsServicePublicIp,
    EcsTaskSetPublicIp,
    LbDropInvalidHeadersDisabled,
    LbHttpListenerNoRedirect,
    LbWeakTlsPolicy,
    SgOpenToWorld,
    VpcEcsEndpointsMissing,
)

NETWORK_RULES = (
    EcsEfsTransitEncryptionDisabled,
    EcsNetworkModeNotAwsvpc,
    EcsServicePublicIp,
    EcsTaskSetPublicIp,
    LbDropInvalidHeadersDisabled,
    LbHttpListenerNoRedirect,
    LbWeakTlsPolicy,
    SgOpenToWorld,
    VpcEcsEndpointsMissing,
)
REAL = ROOT / "testdata" / "plans" / "real"


def findings(tmp_path, resources, rules=NETWORK_RULES):
    plan = write_plan(resources, tmp_path / "plan.json")
    report = scan([str(plan)], [r() for r in rules])
    assert not report.errors, [e.line() for e in report.errors]
    return sorted((f.rule, f.address, f.status.value, f.path_text) for f in report.findings)


def inventory(tmp_path, resources) -> Inventory:
    plan = write_plan(resources, tmp_path / "plan.json")
    _, raws, _, _ = read_input(str(plan), SourceOptions())
    return Inventory.build(raws)


def sg(name, *ingress, unknown=None):
    spec = {"address": f"aws_security_group.{name}", "values": {"name": name, "ingress": list(ingress)}}
    if unknown is not None:
        spec["unknown"] = unknown
    return spec


def ing(from_port, to_port, protocol="tcp", cidrs=(), ipv6=()):
    return {"from_port": from_port, "to_port": to_port, "protocol": protocol,
            "cidr_blocks": list(cidrs), "ipv6_cidr_blocks": list(ipv6), "security_groups": [], "self": False}


# Ingress rules, as the inventory reads them ------------------------------------------------


def test_known_cidr_lists_are_not_unknown(tmp_path):
    """Real plans show a known list in after_unknown as [false]: that is not unknown.
    (Before the fix the inventory took any non-False subtree for unknown.)"""
    inv = inventory(tmp_path, [sg("a", ing(22, 22, cidrs=["10.0.0.0/8"]),
                                  unknown={"ingress": [{"cidr_blocks": [False], "ipv6_cidr_blocks": []}]})])
    [rule] = list(inv.ingress_rules())
    assert (rule.cidrs, rule.cidrs_unknown, rule.ports_unknown) == (("10.0.0.0/8",), False, False)
    assert findings(tmp_path, [sg("a", ing(22, 22, cidrs=["10.0.0.0/8"]),
                                  unknown={"ingress": [{"cidr_blocks": [False], "ipv6_cidr_blocks": []}]})]) == []


def test_one_unknown_element_in_a_cidr_list_is_unknown(tmp_path):
    inv = inventory(tmp_path, [sg("a", ing(22, 22, cidrs=["10.0.0.0/8", None]),
                                  unknown={"ingress": [{"cidr_blocks": [False, True]}]})])
    [rule] = list(inv.ingress_rules())
    assert rule.cidrs_unknown
    assert findings(tmp_path, [sg("a", ing(22, 22, cidrs=["10.0.0.0/8"]),
                                  unknown={"ingress": [{"cidr_blocks": [False, True]}]})]) == [
        ("sg-open-to-world", "aws_security_group.a", "unknown", "ingress[0]")
    ]


def test_rule_resources_point_at_the_attribute_that_holds_the_world(tmp_path):
    inv = inventory(tmp_path, [
        {"address": "aws_security_group_rule.both", "values": {
            "type": "ingress", "from_port": 22, "to_port": 22, "protocol": "tcp",
            "cidr_blocks": ["10.0.0.0/8"], "ipv6_cidr_blocks": ["::/0"], "security_group_id": "sg-1"}},
    ])
    [rule] = list(inv.ingress_rules())
    assert rule.world_cidrs == ("::/0",)
    assert rule.blame_path(rule.world_cidrs) == ("ipv6_cidr_blocks",)


def test_rule_resources_are_tied_to_their_group(tmp_path):
    inv = inventory(tmp_path, [
        {"address": "aws_security_group.svc", "values": {"name": "svc"}, "unknown": {"id": True}},
        {"address": "aws_vpc_security_group_ingress_rule.ssh", "values": {
            "ip_protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_ipv4": "0.0.0.0/0"},
         "unknown": {"security_group_id": True}, "references": {"security_group_id": ["aws_security_group.svc.id"]}},
    ])
    [rule] = list(inv.ingress_rules())
    assert rule.security_group_address == "aws_security_group.svc"


@pytest.mark.parametrize(
    "protocol, from_port, to_port, ports",
    [
        ("tcp", 22, 22, (22, 22)),
        ("tcp", 8080, 80, (80, 8080)),  # reversed range
        ("6", 443, 443, (443, 443)),
        ("-1", 0, 0, (0, 65535)),
        ("all", None, None, (0, 65535)),
        ("tcp", None, None, (0, 65535)),
        ("50", 0, 0, (0, 65535)),  # ESP has no ports: AWS admits all of it
        ("icmp", 8, 0, (0, 8)),
    ],
)
def test_port_ranges(protocol, from_port, to_port, ports):
    rule = IngressRule(declared_by=_dummy_sg(), path=("ingress", 0), from_port=from_port, to_port=to_port, protocol=protocol)
    assert rule.ports() == ports


def test_protocol_names():
    names = {p: IngressRule(declared_by=_dummy_sg(), path=(), protocol=p).protocol_name
             for p in ("tcp", "TCP", "6", "17", "udp", "1", "58", "icmpv6", "-1", "all", "50")}
    assert names == {"tcp": "tcp", "TCP": "tcp", "6": "tcp", "17": "udp", "udp": "udp", "1": "icmp", "58": "icmpv6",
                     "icmpv6": "icmpv6", "-1": "all", "all": "all", "50": "50"}


def _dummy_sg() -> SecurityGroup:
    from tfecs.inputs.raw import RawResource

    return SecurityGroup.build(RawResource(address="aws_security_group.x", mode="managed", type="aws_security_group", name="x", after={}))


# sg-open-to-world semantics -------------------------------------------------------------------


def test_world_open_inside_the_allow_list_passes_and_outside_fails(tmp_path):
    resources = [
        sg("web", ing(80, 80, cidrs=["0.0.0.0/0"]), ing(443, 443, ipv6=["::/0"])),
        sg("wide", ing(80, 443, cidrs=["0.0.0.0/0"])),  # 81..442 too
        sg("udp", ing(443, 443, "udp", cidrs=["0.0.0.0/0"])),  # the allow-list is TCP
        sg("ping", ing(-1, -1, "icmp", cidrs=["0.0.0.0/0"])),
    ]
    assert findings(tmp_path, resources, (SgOpenToWorld,)) == [
        ("sg-open-to-world", "aws_security_group.udp", "fail", "ingress[0]"),
        ("sg-open-to-world", "aws_security_group.wide", "fail", "ingress[0]"),
    ]


def test_allow_list_is_a_module_constant_a_config_layer_can_replace(tmp_path, monkeypatch):
    resources = [sg("ssh", ing(22, 22, cidrs=["0.0.0.0/0"])), sg("web", ing(443, 443, cidrs=["0.0.0.0/0"]))]
    monkeypatch.setattr(sg_rule, "ALLOWED_TCP_PORTS", frozenset({22}))
    assert findings(tmp_path, resources, (SgOpenToWorld,)) == [
        ("sg-open-to-world", "aws_security_group.web", "fail", "ingress[0]"),
    ]


def test_unknown_cidr_on_an_allowed_port_cannot_matter(tmp_path):
    unknown = {"ingress": [{"cidr_blocks": True}]}
    ssh = sg("ssh", ing(22, 22), unknown=unknown) | {"references": {"ingress": ["var.cidrs"]}}
    https = sg("https", ing(443, 443), unknown=unknown) | {"references": {"ingress": ["var.cidrs"]}}
    assert findings(tmp_path, [ssh, https], (SgOpenToWorld,)) == [
        ("sg-open-to-world", "aws_security_group.ssh", "unknown", "ingress[0]"),
    ]


def test_message_names_cidr_protocol_and_ports_and_the_group(tmp_path):
    plan = write_plan([
        sg("bad", ing(22, 22, cidrs=["10.0.0.0/8", "0.0.0.0/0"])),
        {"address": "aws_security_group_rule.all6", "values": {
            "type": "ingress", "from_port": 0, "to_port": 0, "protocol": "-1", "ipv6_cidr_blocks": ["::/0"]},
         "unknown": {"security_group_id": True}, "references": {"security_group_id": ["aws_security_group.bad.id"]}},
    ], tmp_path / "plan.json")
    report = scan([str(plan)], [SgOpenToWorld()])
    assert sorted(f.message for f in report.findings) == [
        "ingress rule for aws_security_group.bad admits ::/0 on all traffic (protocol -1)",
        "security group 'bad' admits 0.0.0.0/0 on tcp port 22",
    ]


# Load balancers ------------------------------------------------------------------------------


def test_tls_policy_list_holds_only_forward_secrecy_tls12_policies():
    assert "ELBSecurityPolicy-TLS13-1-2-2021-06" in FORWARD_SECRECY_TLS_POLICIES
    assert "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09" in FORWARD_SECRECY_TLS_POLICIES
    for weak in ("ELBSecurityPolicy-2016-08", "ELBSecurityPolicy-TLS-1-2-2017-01", "ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
                 "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06", "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06",
                 "ELBSecurityPolicy-TLS13-1-1-2021-06", "ELBSecurityPolicy-FS-1-1-2019-08", "ELBSecurityPolicy-FS-2018-06"):
        assert weak not in FORWARD_SECRECY_TLS_POLICIES


def test_unset_listener_protocol_is_http_except_on_a_gateway_load_balancer(tmp_path):
    inv = inventory(tmp_path, [
        {"address": "aws_lb.alb", "values": {"name": "alb"}},
        {"address": "aws_lb.gw", "values": {"name": "gw", "load_balancer_type": "gateway"}},
        {"address": "aws_lb_listener.on_alb", "values": {"default_action": [{"type": "forward"}]},
         "references": {"load_balancer_arn": ["aws_lb.alb.arn"]}},
        {"address": "aws_lb_listener.on_gw", "values": {"default_action": [{"type": "forward"}]},
         "references": {"load_balancer_arn": ["aws_lb.gw.arn"]}},
    ])
    protocols = {l.address: l.effective_protocol(inv.linked(l, "load_balancer_arn", LoadBalancer)) for l in inv.of(Listener)}
    assert protocols == {"aws_lb_listener.on_alb": "HTTP", "aws_lb_listener.on_gw": None}


def test_a_redirect_among_several_default_actions_counts(tmp_path):
    listener = {"address": "aws_lb_listener.auth_then_redirect", "values": {"port": 80, "protocol": "HTTP", "default_action": [
        {"type": "authenticate-oidc", "order": 1},
        {"type": "redirect", "order": 2, "redirect": [{"protocol": "HTTPS", "port": "443", "status_code": "HTTP_301"}]}]}}
    assert findings(tmp_path, [listener], (LbHttpListenerNoRedirect,)) == []


# VPC endpoints ----------------------------------------------------------------------------------


def test_endpoints_are_not_required_of_a_vpc_without_ecs(tmp_path):
    assert findings(tmp_path, [{"address": "aws_vpc.empty", "values": {"cidr_block": "10.0.0.0/16"}}], (VpcEcsEndpointsMissing,)) == []


def test_service_found_through_subnet_ids_by_value(tmp_path):
    """Plans without configuration references: subnets matched by their known ids."""
    resources = [
        {"address": "aws_vpc.main", "values": {"id": "vpc-1", "cidr_block": "10.0.0.0/16"}},
        {"address": "aws_subnet.a", "values": {"id": "subnet-1", "vpc_id": "vpc-1"}},
        {"address": "aws_ecs_service.app", "values": {"name": "app", "network_configuration": [{"subnets": ["subnet-1"]}]}},
    ]
    assert findings(tmp_path, resources, (VpcEcsEndpointsMissing,)) == [
        ("vpc-ecs-endpoints-missing", "aws_vpc.main", "fail", ""),
    ]


# Plans made by real Terraform ----------------------------------------------------------------

REAL_EXPECTED = {
    "ecs_insecure": [
        ("ecs-efs-transit-encryption-disabled", "aws_ecs_task_definition.bad_host", "fail", "volume[0].efs_volume_configuration[0].transit_encryption"),
        ("ecs-network-mode-not-awsvpc", "aws_ecs_task_definition.bad_host", "fail", "network_mode"),
        ("ecs-service-public-ip", "aws_ecs_service.bad", "fail", "network_configuration[0].assign_public_ip"),
        ("lb-drop-invalid-headers-disabled", "aws_lb.bad", "fail", "drop_invalid_header_fields"),
        ("lb-http-listener-no-redirect", "aws_lb_listener.bad_http", "fail", "default_action"),
        ("lb-weak-tls-policy", "aws_lb_listener.bad_https", "fail", "ssl_policy"),
        ("sg-open-to-world", "aws_security_group.bad", "fail", "ingress[0]"),
        ("sg-open-to-world", "aws_security_group_rule.bad_all_ipv6", "fail", "ipv6_cidr_blocks"),
        ("vpc-ecs-endpoints-missing", "aws_vpc.bad", "fail", ""),
    ],
    # SGs admit only the LB's SG (or 80/443 on the LB), HTTPS with a TLS 1.3 policy and
    # an HTTP->HTTPS redirect, endpoints for ecr.api/ecr.dkr/logs/secretsmanager.
    "ecs_hardened": [],
    "modules_foreach": [
        ("sg-open-to-world", 'module.svc["worker"].aws_security_group.this', "fail", "ingress[0]"),
    ],
}


@pytest.mark.parametrize("name", sorted(REAL_EXPECTED))
def test_real_plans(name):
    path = REAL / f"{name}.json"
    if not path.exists():
        pytest.skip(f"{path} has not been generated")
    report = scan([str(path)], [r() for r in NETWORK_RULES])
    assert not report.errors, [e.line() for e in report.errors]
    actual = sorted((f.rule, f.address, f.status.value, f.path_text) for f in report.findings)
    assert actual == REAL_EXPECTED[name]


def test_real_insecure_messages_say_what_is_wrong():
    path = REAL / "ecs_insecure.json"
    if not path.exists():
        pytest.skip(f"{path} has not been generated")
    report = scan([str(path)], [SgOpenToWorld(), LbWeakTlsPolicy(), VpcEcsEndpointsMissing()])
    assert sorted(f.message for f in report.findings) == [
        "HTTPS listener uses ELBSecurityPolicy-2016-08, not a TLS 1.2+ forward-secrecy policy",
        "VPC 10.0.0.0/16 hosts aws_ecs_service.bad but has no interface endpoint for ecr.api, ecr.dkr, logs",
        "ingress rule for aws_security_group.bad admits ::/0 on all traffic (protocol -1)",
        "security group 'bad-ecs-service' admits 0.0.0.0/0 on tcp port 22",
    ]
