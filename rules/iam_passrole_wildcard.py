from __future__ import annotations

from tfecs.model.iam import Statement
from tfecs.rule import PERMISSION_POLICY_TYPES, RuleMeta, Severity, StatementRule

PASS_ROLE = "iam:PassRole"
PASSED_TO_SERVICE = "iam:PassedToService"


class IamPassroleWildcard(StatementRule):
    """
    ## What it does
    Flags IAM policy statements that `Allow` `iam:PassRole` on Resource `*` without an
    `iam:PassedToService` condition. The action counts however it is granted: by name,
    through a wildcard (`iam:Pass*`, `iam:*`, `*`) or through `NotAction`. Every place a
    policy can live is checked, and `data.aws_iam_policy_document` findings are reported
    on the resource that uses the document.

    ## Why is this bad?
    Passing a role hands it to a service: whoever may pass any role can start an ECS
    task, a Lambda function or an EC2 instance with the most powerful role in the account
    and act through it. It is the classic IAM privilege escalation. A task role that can
    `ecs:RunTask` and `iam:PassRole` on `*` is an administrator in waiting.

    ## Example
    ```hcl
    statement {
      actions   = ["iam:PassRole"]
      resources = ["*"]
    }
    ```

    ## Use instead
    ```hcl
    statement {
      actions   = ["iam:PassRole"]
      resources = [aws_iam_role.worker_task.arn]
      condition {
        test     = "StringEquals"
        variable = "iam:PassedToService"
        values   = ["ecs-tasks.amazonaws.com"]
      }
    }
    ```

    ## References
    - https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html
    - https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html
    """

    meta = RuleMeta(
        id="iam-passrole-wildcard",
        title="IAM policy allows passing any role",
        severity=Severity.HIGH,
        practice=1,
        controls=(),
        resource_types=PERMISSION_POLICY_TYPES,
        remediation="Scope `iam:PassRole` to the role ARNs to pass and add an `iam:PassedToService` condition.",
    )

    def judge(self, st: Statement) -> str | None:
        if st.allows(PASS_ROLE) and st.any_resource and not st.has_condition_key(PASSED_TO_SERVICE):
            return "allows iam:PassRole on every role, with no iam:PassedToService condition"
        return None
