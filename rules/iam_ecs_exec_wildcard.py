from __future__ import annotations

from tfecs.model.iam import Statement
from tfecs.rule import PERMISSION_POLICY_TYPES, RuleMeta, Severity, StatementRule

EXECUTE_COMMAND = "ecs:ExecuteCommand"


class IamEcsExecWildcard(StatementRule):
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
        resource_types=PERMISSION_POLICY_TYPES,
        remediation="Scope `ecs:ExecuteCommand` to the cluster and task ARNs that need it.",
    )

    def judge(self, st: Statement) -> str | None:
        if st.allows(EXECUTE_COMMAND) and st.any_resource:
            return "allows ecs:ExecuteCommand on every task"
        return None
