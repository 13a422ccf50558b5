from __future__ import annotations

from typing import Iterator

from tfecs.model.ecs import ContainerDefinition, TaskDefinition
from tfecs.model.patterns import image_pinned, image_tag, image_untagged
from tfecs.rule import ContainerRule, Finding, RuleMeta, Severity


class EcsImageMutableTag(ContainerRule):
    """
    ## What it does
    Flags container images that name neither a digest nor a tag (Docker then pulls
    `latest`) or that use the tag `latest`. An image pinned by digest (`app@sha256:...`,
    also `app:1.2@sha256:...`) passes; a registry port is not a tag
    (`registry:5000/app` has none).

    ## Why is this bad?
    `latest` moves with every push: two tasks of the same revision can run different
    code, a rollback to the previous task definition does not roll back the image, and
    what was scanned and reviewed is not what runs.

    ## Example
    ```hcl
    container_definitions = jsonencode([{ name = "app", image = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:latest" }])
    ```

    ## Use instead
    ```hcl
    container_definitions = jsonencode([{ name = "app", image = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app@sha256:4b1c..." }])
    ```
    A version tag in a repository with immutable tags works too.

    ## References
    - https://docs.aws.amazon.com/AmazonECS/latest/bestpracticesguide/security-tasks-containers.html
    - https://docs.docker.com/reference/cli/docker/image/pull/#pull-an-image-by-digest-immutable-identifier
    """

    meta = RuleMeta(
        id="ecs-image-mutable-tag",
        title="container image is not pinned",
        severity=Severity.MEDIUM,
        practice=4,
        controls=(),
        resource_types=("aws_ecs_task_definition",),
        remediation="Reference the image by digest (`repo@sha256:...`) or by an immutable version tag.",
    )

    def judge(self, td: TaskDefinition, c: ContainerDefinition) -> Iterator[Finding]:
        path = ("container_definitions", c.index, "image")
        if c.is_unknown("image"):
            # A partly known image (`"${aws_ecr_repository.app.repository_url}:latest"`):
            # its known tail may decide the tag or digest of every value it can take.
            pattern = td.value_pattern(*path)
            if pattern is not None and image_pinned(pattern):
                return
            tag = image_tag(pattern) if pattern is not None else None
            shown = "(sensitive)" if c.is_sensitive("image") else repr(str(pattern))
            if pattern is not None and image_untagged(pattern):
                yield self.fail(td, path, f"container {c.label!r} image {shown} has neither tag nor digest, so it pulls whatever `latest` is", container=c.label)
            elif tag is None:
                yield self.unknown(td, path, container=c.label)
            elif tag.lower() == "latest":
                yield self.fail(td, path, f"container {c.label!r} image {shown} uses the moving tag `latest`", container=c.label)
            return
        ref = c.image_ref
        if ref is None or ref.pinned:
            return
        shown = "(sensitive)" if c.is_sensitive("image") else repr(ref.raw)
        if ref.tag is None:
            yield self.fail(td, path, f"container {c.label!r} image {shown} has neither tag nor digest, so it pulls whatever `latest` is", container=c.label)
        elif ref.tag.lower() == "latest":
            yield self.fail(td, path, f"container {c.label!r} image {shown} uses the moving tag `latest`", container=c.label)
