from __future__ import annotations

from typing import Iterator

from tfecs.model.iam import IamRole, Statement
from tfecs.model.inventory import Inventory
from tfecs.rule import Finding, Rule, RuleMeta, Severity


class IamRoleTrustAnyPrincipal(Rule):
    """
    ## What it does
    Flags `aws_iam_role` trust policies (`assume_role_policy`, as JSON or from a
    `data.aws_iam_policy_document`) with an `Allow` statement that lets Principal `*` or
    `{"AWS": "*"}` assume the role with no `Condition` at all.

    ## Why is this bad?
    Principal `*` in a trust policy means any AWS account in the world, not "any
    principal in my account". Anyone who learns the role's ARN (they are easy to guess)
    can assume it and use its permissions.

    ## Example
    ```hcl
    assume_role_policy = jsonencode({
      Version   = "2012-10-17"
      Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = "*" } }]
    })
    ```

    ## Use instead
    ```hcl
    assume_role_policy = jsonencode({
      Version   = "2012-10-17"
      Statement = [{
        Effect    = "Allow"
        Action    = "sts:AssumeRole"
        Principal = { AWS = "arn:aws:iam::111122223333:role/deployer" }
      }]
    })
    ```
    If the role must be open to an organisation, keep a condition such as
    `aws:PrincipalOrgID`.

    ## References
    - https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
    - https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html
    """

    meta = RuleMeta(
        id="iam-role-trust-any-principal",
        title="IAM role can be assumed by anyone",
        severity=Severity.HIGH,
        practice=1,
        controls=(),
        resource_types=("aws_iam_role", "data.aws_iam_policy_document"),
        remediation="Name the accounts, roles or services that may assume the role, or restrict `*` with a condition.",
    )

    def check(self, inv: Inventory) -> Iterator[Finding]:
        for role in inv.of(IamRole):
            ref = inv.document(role, "assume_role_policy")
            for path in ref.unknowns(_open_to_anyone):
                yield self.unknown(role, path)
            for st in ref.statements:
                if _open_to_anyone(st):
                    yield self.fail(
                        role,
                        ref.statement_path(st),
                        f"trust policy {ref.label(st)} lets any principal (*) assume role {role.name or role.address!r}, with no condition",
                    )


def _open_to_anyone(st: Statement) -> bool:
    return st.allows_assume and st.any_principal and not st.conditions
