"""A custom rule: ECR repositories must be named team-*."""

from tfecs.model.ecr import Repository
from tfecs.rule import Rule, RuleMeta, Severity


class RepoNamePrefix(Rule):
    """
    ## What it does
    Flags ECR repositories not named `team-*`.

    ## Why is this bad?
    Ownership is unclear.

    ## Example
    `name = "app"`

    ## Use instead
    `name = "team-app"`

    ## References
    - https://example.com/naming
    """

    meta = RuleMeta(
        id="custom-repo-name-prefix",
        title="repository not named team-*",
        severity=Severity.LOW,
        practice=6,
        controls=(),
        resource_types=("aws_ecr_repository",),
        remediation="Rename the repository to team-<name>.",
    )

    def check(self, inv):
        for repo in inv.of(Repository):
            if not (repo.name or "").startswith("team-"):
                yield self.fail(repo, ("name",), f"repository {repo.name!r} is not named team-*")
