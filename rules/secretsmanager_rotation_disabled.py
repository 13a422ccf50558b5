from __future__ import annotations

from typing import Iterator

from tfecs.model.inventory import Inventory
from tfecs.model.secrets import SecretRotation, SecretsManagerSecret
from tfecs.rule import Finding, Rule, RuleMeta, Severity


class SecretsmanagerRotationDisabled(Rule):
    """
    ## What it does
    Flags `aws_secretsmanager_secret` with no `aws_secretsmanager_secret_rotation` for it
    in the configuration (linked through `secret_id`, by reference or by the secret's
    id, ARN or name) and no inline rotation (`rotation_lambda_arn`, AWS provider 3.x).
    When a rotation resource's `secret_id` is known only after apply and cannot be traced
    to a secret, the secrets without rotation are reported as unknown.

    ## Why is this bad?
    A secret that never changes stays valid for as long as it has existed: every copy
    that leaked (a log line, a laptop, a former employee's shell history) keeps working.
    Rotation bounds that window and proves the application can take a new value.

    ## Example
    ```hcl
    resource "aws_secretsmanager_secret" "db" {
      name = "app/db"
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_secretsmanager_secret_rotation" "db" {
      secret_id           = aws_secretsmanager_secret.db.id
      rotation_lambda_arn = aws_lambda_function.rotate_db.arn
      rotation_rules {
        automatically_after_days = 30
      }
    }
    ```

    ## References
    - https://docs.aws.amazon.com/securityhub/latest/userguide/secretsmanager-controls.html#secretsmanager-1
    - https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotating-secrets.html
    """

    meta = RuleMeta(
        id="secretsmanager-rotation-disabled",
        title="secret without automatic rotation",
        severity=Severity.MEDIUM,
        practice=3,
        controls=("SecretsManager.1",),
        resource_types=SecretsManagerSecret.TYPES,
        remediation="Add an `aws_secretsmanager_secret_rotation` for this secret.",
    )

    def check(self, inv: Inventory) -> Iterator[Finding]:
        untraced = [
            r for r in inv.of(SecretRotation)
            if not inv.linked(r, "secret_id", SecretsManagerSecret) and r.is_unknown("secret_id")
        ]
        for secret in inv.of(SecretsManagerSecret):
            if secret.rotation_lambda_arn or inv.referrers(secret, SecretRotation, "secret_id"):
                continue
            if secret.is_unknown("rotation_lambda_arn"):
                if secret.refs("rotation_lambda_arn"):
                    continue  # a Lambda function's ARN: set once applied
                yield self.unknown(secret, ("rotation_lambda_arn",))
                continue
            label = secret.name or secret.name_prefix or secret.address
            if untraced:
                yield self.unknown(secret, (), f"secret {label!r}: {untraced[0].address} rotates a secret known only after apply, maybe this one")
                continue
            yield self.fail(secret, (), f"secret {label!r} has no automatic rotation: no aws_secretsmanager_secret_rotation refers to it")
