from __future__ import annotations

from typing import Iterator

from tfecs.model.inventory import Inventory
from tfecs.model.monitoring import Trail
from tfecs.rule import Finding, Rule, RuleMeta, Severity


class CloudtrailNotMultiRegion(Rule):
    """
    ## What it does
    Flags `aws_cloudtrail` trails whose `is_multi_region_trail` is not `true`. Unset
    means a single-Region trail.

    ## Why is this bad?
    A single-Region trail records nothing that happens in the other Regions: an attacker
    who starts tasks, creates roles' sessions or pulls images in an unused Region leaves
    no audit trail there. Security Hub's CloudTrail.1 asks for at least one multi-Region
    trail.

    ## Example
    ```hcl
    resource "aws_cloudtrail" "main" {
      name           = "main"
      s3_bucket_name = aws_s3_bucket.trail.id
    }
    ```

    ## Use instead
    ```hcl
    resource "aws_cloudtrail" "main" {
      name                          = "main"
      s3_bucket_name                = aws_s3_bucket.trail.id
      is_multi_region_trail         = true
      include_global_service_events = true
    }
    ```

    ## References
    - https://docs.aws.amazon.com/securityhub/latest/userguide/cloudtrail-controls.html#cloudtrail-1
    - https://docs.aws.amazon.com/awscloudtrail/latest/userguide/receive-cloudtrail-log-files-from-multiple-regions.html
    """

    meta = RuleMeta(
        id="cloudtrail-not-multi-region",
        title="CloudTrail trail is not multi-Region",
        severity=Severity.HIGH,
        practice=5,
        controls=("CloudTrail.1",),
        resource_types=("aws_cloudtrail",),
        remediation="Set `is_multi_region_trail = true`.",
    )

    def check(self, inv: Inventory) -> Iterator[Finding]:
        for trail in inv.of(Trail):
            path = ("is_multi_region_trail",)
            if trail.is_unknown(*path):
                yield self.unknown(trail, path)
            elif trail.is_multi_region_trail is not True:
                shown = "false" if trail.is_multi_region_trail is False else "unset (false)"
                yield self.fail(trail, path, f"trail {trail.name or trail.address!r} records one Region only: is_multi_region_trail is {shown}")
