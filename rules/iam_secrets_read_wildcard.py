from __future__ import annotations

from typing import Iterator

from tfecs.model.inventory import Inventory
from tfecs.rule import Finding, Rule, RuleMeta, Severity

# The actions that return a secret's value (`ssm:GetParameter*` as IAM expands it).
SECRET_READ_ACTIONS = (
    "secretsmanager:GetSecretValue",
    "ssm:GetParameter",
    "ssm:GetParameters",
    "ssm:GetParametersByPath",
    "ssm:GetParameterHistory",
    "kms:Decrypt",
)


class IamSecretsReadWildcard(Rule):
    """
    ## What it does
    Flags IAM policy statements that `Allow` reading secrets on Resource `*`:
    `secretsmanager:GetSecretValue`, `ssm:GetParameter*` (`GetParameter`,
    `GetParameters`, `GetParametersByPath`, `GetParameterHistory`) or `kms:Decrypt`,
    granted by name, through a wildcard or through `NotAction`. Every place a policy can
    live is checked, and `data.aws_iam_policy_document` findings are reported on the
    resource that uses the document.

    ## Why is this bad?
    An ECS execution role needs the secrets its task definition references, not every
    secret in the account. On `*`, one compromised task (or anyone who can pass the role)
    reads every database password, API key and decryptable blob in the account.

    ## Example
    ```hcl
    statement {
      actions   = ["secretsmanager:GetSecretValue", "kms:Decrypt"]
      resources = ["*"]
    }
    ```

    ## Use instead
    ```hcl
    statement {
      actions   = ["secretsmanager:GetSecretValue", "kms:Decrypt"]
      resources = [aws_secretsmanager_secret.db.arn, aws_kms_key.secrets.arn]
    }
    ```

    ## References
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html
    - https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_examples.html
    """

    meta = RuleMeta(
        id="iam-secrets-read-wildcard",
        title="IAM policy allows reading every secret",
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
        remediation="Scope secret reads to the ARNs of the secrets, parameters and KMS keys the task uses.",
    )

    def check(self, inv: Inventory) -> Iterator[Finding]:
        for ref in inv.permission_documents():
            if ref.unknown:
                yield self.unknown(ref.resource, ref.path)
                continue
            if ref.document is None:
                continue
            for st in ref.document.statements:
                if not st.any_resource:
                    continue
                granted = [a for a in SECRET_READ_ACTIONS if st.allows(a)]
                if granted:
                    yield self.fail(
                        ref.resource,
                        ref.statement_path(st),
                        f"{ref.label(st)} allows {', '.join(granted)} on every resource",
                    )
