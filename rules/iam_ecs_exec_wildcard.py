from __future__ import annotations

from typing import Iterator

from tfecs.model.inventory import Inventory
from tfecs.rule import Finding, Rule, RuleMeta, Severity

EXECUTE_COMMAND = "ecs:ExecuteCommand"


class IamEcsExecWildcard(Rule):
    """
    ## What it does
    Flags IAM policy statements that `Allow` `ecs:ExecuteCommand` (by name or through a
    wildcard such as `ecs:*` or `*`, or `NotAction`) on Resource `*`. Every place a
    policy can live is checked, and `data.aws_iam_policy_document` findings are reported
    on the resource that uses the document.

    ## Why is this bad?
    ECS Exec opens an interactive shell in a running container. On Resource `*` the
    holder can get a shell in every task of every cluster, read the secrets injected into
    them and act with each task's role.

    ## Example
    ```hcl
    statement {
      actions   = ["ecs:ExecuteCommand"]
      resources = ["*"]
    }
    ```

    ## Use instead
    ```hcl
    statement {
      actions   = ["ecs:ExecuteCommand"]
      resources = [aws_ecs_cluster.debug.arn, "arn:aws:ecs:${local.region}:${local.account_id}:task/debug/*"]
    }
    ```

    ## References
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html
    - https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerservice.html
    """

    meta = RuleMeta(
        id="iam-ecs-exec-wildcard",
        title="IAM policy allows ECS Exec into every task",
        severity=Severity.MEDIUM,
        practice=1,
        controls=(),
        resource_types=(
            "aws_iam_policy",
            "aws_iam_role_policy",
            "aws_iam_user_policy",
            "aws_iam_group_policy",
            "aws_iam_role",
            "data.aws_iam_policy_document",
        ),
        remediation="Scope `ecs:ExecuteCommand` to the cluster and task ARNs that need it.",
    )

    def check(self, inv: Inventory) -> Iterator[Finding]:
        for ref in inv.permission_documents():
            if ref.unknown:
                yield self.unknown(ref.resource, ref.path)
                continue
            if ref.document is None:
                continue
            for st in ref.document.statements:
                if st.allows(EXECUTE_COMMAND) and st.any_resource:
                    yield self.fail(
                        ref.resource,
                        ref.statement_path(st),
                        f"{ref.label(st)} allows ecs:ExecuteCommand on every task",
                    )
