from __future__ import annotations

from typing import Iterator

from tfecs.model.inventory import Inventory
from tfecs.model.secrets import SsmParameter
from tfecs.model.secretscan import is_reference, is_secret_description, is_secret_name, secret_format
from tfecs.rule import Finding, Rule, RuleMeta, Severity


class SsmSecretNotSecurestring(Rule):
    """
    ## What it does
    Flags `aws_ssm_parameter` of type `String` or `StringList` that looks like a secret:
    its name ends in a secret noun (`/app/db_password`, `/ci/github-token`, the same
    name rules as `ecs-secret-in-environment`), its description says it holds a password,
    token, key or credentials (and not a reference to one: "the ARN of …"), or its value
    is in a known secret format (AWS keys, tokens, private keys). A secret-like name whose
    known value is a reference (an ARN, a path, a number, a URL without credentials) is
    not reported.

    ## Why is this bad?
    `String` parameters are stored and returned unencrypted: anyone with
    `ssm:GetParameter` or `ssm:DescribeParameters` on them reads the value, it appears in
    CloudTrail-visible API responses and console views, and no KMS key policy guards it.

    ## Example
    ```hcl
    resource "aws_ssm_parameter" "db_password" {
      name  = "/app/db_password"
      type  = "String"
      value = var.db_password
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_ssm_parameter" "db_password" {
      name   = "/app/db_password"
      type   = "SecureString"
      key_id = aws_kms_key.app.arn
      value  = var.db_password
    }
    ```

    ## References
    - https://docs.aws.amazon.com/systems-manager/latest/userguide/systems-manager-parameter-store.html#what-is-a-parameter
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-ssm-paramstore.html
    """

    meta = RuleMeta(
        id="ssm-secret-not-securestring",
        title="secret stored in a plain-text SSM parameter",
        severity=Severity.MEDIUM,
        practice=3,
        controls=(),
        resource_types=SsmParameter.TYPES,
        remediation='Set `type = "SecureString"` (with a customer-managed `key_id`).',
    )

    def check(self, inv: Inventory) -> Iterator[Finding]:
        for param in inv.of(SsmParameter):
            value = param.value if param.value is not None else param.insecure_value
            kind = secret_format(value) if value is not None else None
            if kind:
                why = f"its value is in {kind} format"
            elif value is not None and is_reference(value):
                continue
            elif is_secret_name(param.name):
                why = "its name says it holds a secret"
            elif is_secret_description(param.description):
                why = "its description says it holds a secret"
            else:
                continue
            path = ("type",)
            label = param.name or param.address
            if param.is_unknown("type"):
                yield self.unknown(param, path, f"parameter {label!r} looks like a secret ({why}); its type is known only after apply")
            elif param.is_plain_text:
                yield self.fail(param, path, f"parameter {label!r} looks like a secret ({why}) but is stored unencrypted as {param.param_type}")
