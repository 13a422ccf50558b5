from __future__ import annotations

from typing import Iterator

from tfecs.model.inventory import Inventory
from tfecs.model.monitoring import FlowLog
from tfecs.model.network import Vpc
from tfecs.rule import Finding, Rule, RuleMeta, Severity


class VpcFlowLogsMissing(Rule):
    """
    ## What it does
    Flags an `aws_vpc` created in this change (its actions include `create`, so
    replacements too) with no `aws_flow_log` whose `vpc_id` refers to it. A flow log
    that records only `ACCEPT` traffic does not count (Security Hub's EC2.6 asks for
    rejected traffic): it is reported on its `traffic_type`. Flow logs on a subnet or a
    network interface do not cover the VPC. Existing VPCs are not judged: they predate
    the change, and the before/after gate reports only what the change makes worse.
    A flow log whose `vpc_id` comes from a local (the plan lists no reference for it, as
    in terraform-aws-modules/vpc's `vpc_id = local.vpc_id`) counts for the one `aws_vpc`
    of its module instance.

    ## Why is this bad?
    Without flow logs there is no record of which addresses the tasks in the VPC talked
    to: no way to investigate an exfiltration, a scan from a compromised container, or
    traffic your security groups rejected.

    ## Example
    ```hcl
    resource "aws_vpc" "main" {
      cidr_block = "10.0.0.0/16"
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_flow_log" "main" {
      vpc_id          = aws_vpc.main.id
      traffic_type    = "ALL"
      log_destination = aws_cloudwatch_log_group.flow_logs.arn
      iam_role_arn    = aws_iam_role.flow_logs.arn
    }
    ```

    ## References
    - https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-6
    - https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs.html
    """

    meta = RuleMeta(
        id="vpc-flow-logs-missing",
        title="VPC without flow logs",
        severity=Severity.MEDIUM,
        practice=5,
        controls=("EC2.6",),
        resource_types=("aws_vpc", "aws_flow_log"),
        remediation='Add an `aws_flow_log` with `vpc_id` = this VPC and `traffic_type = "ALL"` (or "REJECT").',
    )

    def check(self, inv: Inventory) -> Iterator[Finding]:
        dangling = [fl for fl in inv.of(FlowLog) if fl.is_unknown("vpc_id") and not inv.linked(fl, "vpc_id", Vpc)]
        by_module = _module_flow_logs(inv, dangling)
        placed = {fl.address for logs in by_module.values() for fl in logs}
        dangling = [fl for fl in dangling if fl.address not in placed]
        for vpc in inv.of(Vpc):
            # HCL has no actions: everything there is to be created.
            if vpc.type != "aws_vpc" or (vpc.actions and "create" not in vpc.actions):
                continue
            logs = inv.referrers(vpc, FlowLog, "vpc_id") or by_module.get(vpc.address, [])
            if any(not fl.accept_only for fl in logs if not fl.is_unknown("traffic_type")):
                continue
            pending = [fl for fl in logs if fl.is_unknown("traffic_type")]
            if pending:
                yield self.unknown(pending[0], ("traffic_type",))
            elif logs:
                fl = logs[0]
                yield self.fail(
                    fl,
                    ("traffic_type",),
                    f"flow log of VPC {vpc.address} records only ACCEPT traffic, not rejected traffic",
                    fix='Set `traffic_type = "ALL"` (or "REJECT").',
                )
            elif dangling:
                yield self.unknown(
                    vpc,
                    (),
                    f"{dangling[0].address}.vpc_id is known only after apply, so whether VPC {vpc.address} has a flow log cannot be told",
                )
            else:
                yield self.fail(vpc, (), f"VPC {vpc.address} is created without a flow log")


def _module_flow_logs(inv: Inventory, dangling: list[FlowLog]) -> dict[str, list[FlowLog]]:
    """Flow logs whose `vpc_id` goes through a local (the plan's configuration lists no
    reference for it: terraform-aws-modules/vpc writes `vpc_id = local.vpc_id`), given to
    the one aws_vpc of their module instance."""
    out: dict[str, list[FlowLog]] = {}
    for fl in dangling:
        if fl.refs("vpc_id") or fl.tf.configured is None:
            continue
        module = fl.tf.module_address
        vpcs = [v for v in inv.of(Vpc) if v.type == "aws_vpc" and v.tf.module_address == module]
        if len(vpcs) == 1:
            out.setdefault(vpcs[0].address, []).append(fl)
    return out
