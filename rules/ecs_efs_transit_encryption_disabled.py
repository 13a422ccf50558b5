from __future__ import annotations

from typing import Iterator

from tfecs.model.ecs import TaskDefinition
from tfecs.model.inventory import Inventory
from tfecs.rule import Finding, Rule, RuleMeta, Severity


class EcsEfsTransitEncryptionDisabled(Rule):
    """
    ## What it does
    Flags task definition volumes with an `efs_volume_configuration` whose
    `transit_encryption` is not `ENABLED` (unset means `DISABLED`).

    ## Why is this bad?
    Without transit encryption the task mounts the file system over plain NFS: file
    contents and metadata cross the network unencrypted, and EFS IAM authorization
    (`authorization_config { iam = "ENABLED" }`) cannot be used, since it requires TLS.

    ## Example
    ```hcl
    volume {
      name = "shared"
      efs_volume_configuration {
        file_system_id = aws_efs_file_system.shared.id
      }
    }
    ```

    ## Use instead
    ```hcl
    volume {
      name = "shared"
      efs_volume_configuration {
        file_system_id     = aws_efs_file_system.shared.id
        transit_encryption = "ENABLED"
        authorization_config {
          access_point_id = aws_efs_access_point.shared.id
          iam             = "ENABLED"
        }
      }
    }
    ```

    ## References
    - https://docs.aws.amazon.com/securityhub/latest/userguide/ecs-controls.html#ecs-18
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/efs-volumes.html
    """

    meta = RuleMeta(
        id="ecs-efs-transit-encryption-disabled",
        title="EFS volume mounted without transit encryption",
        severity=Severity.MEDIUM,
        practice=2,
        controls=("ECS.18",),
        resource_types=("aws_ecs_task_definition",),
        remediation='Set `transit_encryption = "ENABLED"` in the volume\'s `efs_volume_configuration`.',
    )

    def check(self, inv: Inventory) -> Iterator[Finding]:
        for td in inv.of(TaskDefinition):
            if not td.volume and td.is_unknown("volume"):
                yield self.unknown(td, ("volume",))
                continue
            for i, vol in enumerate(td.volume):
                if not vol.efs_volume_configuration and td.is_unknown("volume", i, "efs_volume_configuration"):
                    yield self.unknown(td, ("volume", i, "efs_volume_configuration"))
                for j, efs in enumerate(vol.efs_volume_configuration):
                    path = ("volume", i, "efs_volume_configuration", j, "transit_encryption")
                    if td.is_unknown(*path):
                        yield self.unknown(td, path)
                    elif (efs.transit_encryption or "DISABLED").upper() != "ENABLED":
                        shown = efs.transit_encryption or "unset (DISABLED)"
                        yield self.fail(
                            td, path,
                            f"EFS volume {vol.name or i!r} of task definition {td.family or td.address!r} "
                            f"is mounted without transit encryption: transit_encryption is {shown}",
                        )
