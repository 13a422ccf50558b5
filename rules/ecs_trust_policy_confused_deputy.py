from __future__ import annotations

from typing import Iterator

from tfecs.model.iam import IamRole, Statement
from tfecs.model.inventory import Inventory
from tfecs.rule import Finding, Rule, RuleMeta, Severity

ECS_TASKS = "ecs-tasks.amazonaws.com"
SOURCE_KEYS = ("aws:SourceAccount", "aws:SourceArn")


class EcsTrustPolicyConfusedDeputy(Rule):
    """
    ## What it does
    Flags `aws_iam_role` trust policies whose `Allow` statement trusts the service
    principal `ecs-tasks.amazonaws.com` with no `aws:SourceAccount` or `aws:SourceArn`
    condition (principal and condition keys compared case-insensitively). The trust policy may be
    JSON or come from a `data.aws_iam_policy_document`.

    ## Why is this bad?
    Without a source condition, the ECS service may assume the role on behalf of any
    account that names it in a task definition: the cross-service confused deputy
    problem. The conditions bind the role to tasks of your own account (and clusters).

    ## Example
    ```hcl
    assume_role_policy = jsonencode({
      Version = "2012-10-17"
      Statement = [{
        Effect    = "Allow"
        Action    = "sts:AssumeRole"
        Principal = { Service = "ecs-tasks.amazonaws.com" }
      }]
    })
    ```

    ## Use instead
    ```hcl
    assume_role_policy = jsonencode({
      Version = "2012-10-17"
      Statement = [{
        Effect    = "Allow"
        Action    = "sts:AssumeRole"
        Principal = { Service = "ecs-tasks.amazonaws.com" }
        Condition = {
          StringEquals = { "aws:SourceAccount" = data.aws_caller_identity.current.account_id }
          ArnLike      = { "aws:SourceArn" = "arn:aws:ecs:${local.region}:${local.account_id}:*" }
        }
      }]
    })
    ```

    ## References
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html
    - https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html
    """

    meta = RuleMeta(
        id="ecs-trust-policy-confused-deputy",
        title="ECS task role trust policy without source conditions",
        severity=Severity.LOW,
        practice=1,
        controls=(),
        resource_types=("aws_iam_role", "data.aws_iam_policy_document"),
        remediation="Add an `aws:SourceAccount` (or `aws:SourceArn`) condition to the statement trusting ecs-tasks.amazonaws.com.",
    )

    def check(self, inv: Inventory) -> Iterator[Finding]:
        for role in inv.of(IamRole):
            ref = inv.document(role, "assume_role_policy")
            for path in ref.unknowns(_may_lack_source_condition):
                yield self.unknown(role, path)
            for st in ref.statements:
                if not st.allows_assume or st.has_condition_key(*SOURCE_KEYS):
                    continue
                if st.trusts_service(ECS_TASKS):
                    yield self.fail(
                        role,
                        ref.statement_path(st),
                        f"trust policy {ref.label(st)} of role {role.name or role.address!r} trusts {ECS_TASKS} "
                        "with no aws:SourceAccount or aws:SourceArn condition",
                    )
                elif ref.may_trust_service(st, ECS_TASKS):
                    # A Service principal computed at apply (`ecs-tasks.${dns_suffix}`) may be it.
                    yield self.unknown(role, (*ref.statement_path(st), "Principal", "Service"))


def _may_lack_source_condition(st: Statement) -> bool:
    return st.allows_assume and st.may_trust_service(ECS_TASKS) and not st.has_condition_key(*SOURCE_KEYS)
