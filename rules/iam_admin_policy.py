from __future__ import annotations

from typing import Iterator

from tfecs.model.inventory import Inventory
from tfecs.rule import Finding, Rule, RuleMeta, Severity


class IamAdminPolicy(Rule):
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
        resource_types=(
            "aws_iam_policy",
            "aws_iam_role_policy",
            "aws_iam_user_policy",
            "aws_iam_group_policy",
            "aws_iam_role",
            "data.aws_iam_policy_document",
        ),
        remediation="Grant only the actions and resources the principal needs; never Action * on Resource *.",
    )

    def check(self, inv: Inventory) -> Iterator[Finding]:
        for ref in inv.permission_documents():
            if ref.unknown:
                yield self.unknown(ref.resource, ref.path)
                continue
            if ref.document is None:
                continue
            for st in ref.document.statements:
                if not st.grants_admin:
                    continue
                path = (*ref.path, "Statement", st.index)
                if st.all_actions:
                    yield self.fail(ref.resource, path, f"statement {st.sid or st.index} allows every action on every resource")
                else:
                    yield self.fail(
                        ref.resource, path, f"statement {st.sid or st.index} allows every action except {len(st.not_actions)} (NotAction) on every resource"
                    )
