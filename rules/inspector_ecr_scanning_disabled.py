from __future__ import annotations

from tfecs.account import ConfigurationRule, Verdict
from tfecs.model.ecr import RegistryScanningConfiguration
from tfecs.model.events import InspectorEnabler
from tfecs.model.inventory import Inventory
from tfecs.rule import RuleMeta, Severity


class InspectorEcrScanningDisabled(ConfigurationRule):
    """
    ## What it does
    Part of the `account` profile (`--profile account`). Fails when the configuration
    neither enables Amazon Inspector for ECR (an `aws_inspector2_enabler` with `ECR` in
    `resource_types`) nor sets ECR's registry scanning to Inspector's enhanced scanning
    (`aws_ecr_registry_scanning_configuration` with `scan_type = "ENHANCED"`). Values
    known only after apply make the finding `unknown`. The finding lives on each
    `aws_cloudtrail` (or `account`).

    ## Why is this bad?
    Basic scanning checks an image once, at push, against operating-system packages.
    Inspector's enhanced scanning also covers language packages and rescans images when
    new vulnerabilities are published: an image that was clean when pushed is flagged
    once it is not.

    ## Example
    ```hcl
    resource "aws_inspector2_enabler" "this" {
      account_ids    = [data.aws_caller_identity.current.account_id]
      resource_types = ["EC2"]
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_inspector2_enabler" "this" {
      account_ids    = [data.aws_caller_identity.current.account_id]
      resource_types = ["ECR"]
    }
    ```

    ## References
    - https://docs.aws.amazon.com/securityhub/latest/userguide/inspector-controls.html#inspector-2
    - https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-scanning-enhanced.html
    """

    meta = RuleMeta(
        id="inspector-ecr-scanning-disabled",
        title="Amazon Inspector does not scan ECR images",
        severity=Severity.MEDIUM,
        practice=4,
        controls=("Inspector.2",),
        resource_types=("aws_inspector2_enabler", "aws_ecr_registry_scanning_configuration", "aws_cloudtrail"),
        remediation='Add an `aws_inspector2_enabler` with `resource_types = ["ECR"]` (or set registry scanning to `scan_type = "ENHANCED"`).',
        profile="account",
        scope="configuration",
    )

    def judge(self, inv: Inventory) -> Verdict:
        pending: list[str] = []
        for en in inv.of(InspectorEnabler):
            if en.is_unknown("resource_types"):
                pending.append(f"{en.address}.resource_types")
            elif "ECR" in {(t or "").upper() for t in en.resource_types}:
                return Verdict(True)
            elif en.has_unknown("resource_types"):
                pending.append(f"{en.address}.resource_types")
        for reg in inv.of(RegistryScanningConfiguration):
            if reg.enhanced is True:
                return Verdict(True)
            if reg.enhanced is None:
                pending.append(f"{reg.address}.scan_type")
        if pending:
            return Verdict(None, f"whether Amazon Inspector scans ECR images is known only after apply ({', '.join(pending[:3])})")
        return Verdict(False, "Amazon Inspector does not scan ECR images: no aws_inspector2_enabler with ECR and no ENHANCED registry scanning")
