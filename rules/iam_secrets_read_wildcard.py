from __future__ import annotations

from tfecs.model.iam import Statement
from tfecs.rule import PERMISSION_POLICY_TYPES, RuleMeta, Severity, StatementRule

# The actions that return a secret's value (`ssm:GetParameter*` as IAM expands it).
SECRET_READ_ACTIONS = (
    "secretsmanager:GetSecretValue",
    "ssm:GetParameter",
    "ssm:GetParameters",
    "ssm:GetParametersByPath",
    "ssm:GetParameterHistory",
    "kms:Decrypt",
)


class IamSecretsReadWildcard(StatementRule):
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
        resource_types=PERMISSION_POLICY_TYPES,
        remediation="Scope secret reads to the ARNs of the secrets, parameters and KMS keys the task uses.",
    )

    def judge(self, st: Statement) -> str | None:
        if not st.any_resource:
            return None
        granted = [a for a in SECRET_READ_ACTIONS if st.allows(a)]
        return f"allows {', '.join(granted)} on every resource" if granted else None
