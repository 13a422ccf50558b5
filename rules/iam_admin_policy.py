from __future__ import annotations

from tfecs.model.iam import Statement
from tfecs.rule import PERMISSION_POLICY_TYPES, RuleMeta, Severity, StatementRule


class IamAdminPolicy(StatementRule):
    """
    ## What it does
    Flags IAM policy documents with an `Allow` statement granting every action (`*` or
    `*:*`) on every resource, and the near-admin form `Allow` + `NotAction` on `*`.
    Every place a policy can live is checked: `aws_iam_policy`, role, user and group
    inline policies, `aws_iam_role.inline_policy`, and `data.aws_iam_policy_document`
    (reported on the resource that uses it).

    ## Why is this bad?
    Whoever holds the policy (a task role, a CI user) can do anything in the account,
    including granting itself more and erasing its tracks. One compromised container
    becomes a compromised account.

    ## Example
    ```hcl
    policy = jsonencode({
      Version   = "2012-10-17"
      Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }]
    })
    ```

    ## Use instead
    ```hcl
    policy = jsonencode({
      Version   = "2012-10-17"
      Statement = [{ Effect = "Allow", Action = ["s3:GetObject"], Resource = [aws_s3_bucket.assets.arn] }]
    })
    ```

    ## References
    - https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-1
    - https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege
    """

    meta = RuleMeta(
        id="iam-admin-policy",
        title="IAM policy grants full administrative access",
        severity=Severity.HIGH,
        practice=1,
        controls=("IAM.1",),
        resource_types=PERMISSION_POLICY_TYPES,
        remediation="Grant only the actions and resources the principal needs; never Action * on Resource *.",
    )

    def judge(self, st: Statement) -> str | None:
        if not st.grants_admin:
            return None
        if st.all_actions:
            return "allows every action on every resource"
        return f"allows every action except {len(st.not_actions)} (NotAction) on every resource"
