"""A custom rule that crashes: the engine must report it by id and exit 2."""

from tfecs.rule import Rule, RuleMeta, Severity


class CrashingRule(Rule):
    """
    ## What it does
    Crashes.

    ## Why is this bad?
    It is a test.

    ## Example
    Any plan.

    ## Use instead
    A rule that works.

    ## References
    - https://example.com/crash
    """

    meta = RuleMeta(
        id="custom-crashing-rule",
        title="crashes",
        severity=Severity.LOW,
        practice=6,
        controls=(),
        resource_types=("aws_ecr_repository",),
        remediation="None.",
    )

    def check(self, inv):
        raise RuntimeError("boom")
        yield  # pragma: no cover
