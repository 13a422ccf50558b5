"""Container runtime rules: the semantics a fixture shows poorly (user and image-reference
parsing, platform-dependent judgements, confidence, string booleans, redaction, the
overridable registry allow-list)."""

from __future__ import annotations

import pytest
from planfixture import write_plan

from tfecs.model.ecs import Capabilities, ContainerDefinition, ImageRef
from tfecs.scan import scan
from tfecs_rules import ecs_image_untrusted_registry as untrusted_module
from tfecs_rules.ecs_container_logging_missing import EcsContainerLoggingMissing
from tfecs_rules.ecs_container_root_user import EcsContainerRootUser
from tfecs_rules.ecs_image_mutable_tag import EcsImageMutableTag
from tfecs_rules.ecs_image_untrusted_registry import EcsImageUntrustedRegistry, trusted_registry
from tfecs_rules.ecs_sensitive_host_mount import EcsSensitiveHostMount, sensitive_host_path
from tfecs_rules.ecs_unconfined_security_options import _UNCONFINED
from tfecs_rules.ecs_writable_root_filesystem import EcsWritableRootFilesystem

ECR = "123456789012.dkr.ecr.eu-west-1.amazonaws.com"
DIGEST = "sha256:" + "ab" * 32
LINUX = [{"operating_system_family": "LINUX", "cpu_architecture": "X86_64"}]
WINDOWS = [{"operating_system_family": "WINDOWS_SERVER_2019_FULL", "cpu_architecture": "X86_64"}]


def run(rule, tmp_path, *resources: dict) -> list[tuple]:
    plan = write_plan(list(resources), tmp_path / "plan.json")
    report = scan([str(plan)], [rule()])
    assert not report.errors, [e.line() for e in report.errors]
    return sorted((f.address, f.status.value, f.path_text, f.confidence, f.message) for f in report.findings)


def td(name: str, *containers: dict, **values) -> dict:
    return {"address": f"aws_ecs_task_definition.{name}", "values": {"family": name, **values, "container_definitions": list(containers)}}


# Image references ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "image, registry, repository, tag, digest",
    [
        ("nginx", "docker.io", "nginx", None, None),
        ("nginx:1.25", "docker.io", "nginx", "1.25", None),
        ("library/nginx:1.25", "docker.io", "library/nginx", "1.25", None),
        (f"app@{DIGEST}", "docker.io", "app", None, DIGEST),
        (f"app:1.0@{DIGEST}", "docker.io", "app", "1.0", DIGEST),
        ("registry:5000/repo:tag", "registry:5000", "repo", "tag", None),
        ("registry:5000/repo", "registry:5000", "repo", None, None),  # the port is not a tag
        ("registry:5000/team/repo", "registry:5000", "team/repo", None, None),
        ("localhost/app", "localhost", "app", None, None),
        ("localhost:5000/app:1", "localhost:5000", "app", "1", None),
        ("ghcr.io/org/app:v2", "ghcr.io", "org/app", "v2", None),
        ("Docker.IO/library/nginx", "docker.io", "library/nginx", None, None),
        ("index.docker.io/library/nginx:1", "docker.io", "library/nginx", "1", None),
        (f"{ECR}/app:1.2.3", ECR, "app", "1.2.3", None),
        (f"{ECR}/docker-hub/library/nginx:1", ECR, "docker-hub/library/nginx", "1", None),
        ("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/app", "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn", "app", None, None),
        ("public.ecr.aws/nginx/nginx:latest", "public.ecr.aws", "nginx/nginx", "latest", None),
        ("  nginx:1  ", "docker.io", "nginx", "1", None),
    ],
)
def test_image_reference_parsing(image, registry, repository, tag, digest):
    ref = ImageRef.parse(image)
    assert (ref.registry, ref.repository, ref.tag, ref.digest) == (registry, repository, tag, digest)
    assert ref.pinned is (digest is not None)


def test_image_effective_tag_and_host():
    assert ImageRef.parse("registry:5000/repo").effective_tag == "latest"
    assert ImageRef.parse("registry:5000/repo").host == "registry"
    assert ImageRef.parse(f"repo@{DIGEST}").effective_tag is None
    assert ImageRef.parse("repo:1").effective_tag == "1"


@pytest.mark.parametrize(
    "image, trusted",
    [
        (f"{ECR}/app:1", True),
        ("123456789012.dkr.ecr.cn-northwest-1.amazonaws.com.cn/app:1", True),
        ("123456789012.dkr.ecr-fips.us-east-1.amazonaws.com/app:1", True),
        ("123456789012.dkr-ecr.eu-west-1.on.aws/app:1", True),
        ("123456789012.DKR.ECR.EU-WEST-1.AMAZONAWS.COM/app:1", True),
        ("public.ecr.aws/nginx/nginx:1", True),
        ("nginx:1", False),
        ("docker.io/library/nginx:1", False),
        ("public.ecr.aws.evil.example/x:1", False),
        (f"{ECR}.evil.example/app:1", False),
        ("evil.example/public.ecr.aws/x:1", False),
        ("registry:5000/app:1", False),
    ],
)
def test_default_registry_allow_list(image, trusted):
    assert trusted_registry(ImageRef.parse(image)) is trusted


def test_registry_allow_list_is_a_constant_a_config_layer_can_replace(tmp_path, monkeypatch):
    resource = td("bad_internal", {"name": "app", "image": "registry.internal:5000/app:1"}, {"name": "ecr", "image": f"{ECR}/app:1"})
    assert [f[2] for f in run(EcsImageUntrustedRegistry, tmp_path, resource)] == ["container_definitions[0].image"]
    monkeypatch.setattr(untrusted_module, "TRUSTED_REGISTRIES", ("registry.internal:5000",))
    assert [f[2] for f in run(EcsImageUntrustedRegistry, tmp_path, resource)] == ["container_definitions[1].image"]
    monkeypatch.setattr(untrusted_module, "TRUSTED_REGISTRIES", ("registry.internal",))  # any port
    assert [f[2] for f in run(EcsImageUntrustedRegistry, tmp_path, resource)] == ["container_definitions[1].image"]


# Users -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "user, root",
    [("1000", False), ("1000:1000", False), ("app", False), ("1000:0", False), ("rootless", False), ("10", False),
     ("root", True), ("0", True), ("0:0", True), ("root:root", True), ("0:1000", True), ("00", True), (" root ", True),
     ("ROOT", False), ("", False), (None, False),
     # Docker reads a numeric user with Go's strconv.Atoi, which takes a sign.
     ("+0", True), ("-0", True), ("+0:0", True), ("+1000", False), ("\u00b2", False), ("\u0660", False)],
)
def test_linux_root_user(user, root):
    assert ContainerDefinition(index=0, user=user).user_is_root is root


@pytest.mark.parametrize(
    "user, admin",
    [("ContainerAdministrator", True), ("containeradministrator", True), ("User Manager\\ContainerAdministrator", True),
     ("ContainerUser", False), ("root", False), (None, False)],
)
def test_windows_admin_user(user, admin):
    assert ContainerDefinition(index=0, user=user).user_is_windows_admin is admin


def test_root_user_unset_is_reported_with_lower_confidence(tmp_path):
    found = run(
        EcsContainerRootUser, tmp_path,
        td("bad_linux", {"name": "unset", "image": "a:1"}, {"name": "root", "image": "a:1", "user": "0:0"}, {"name": "ok", "image": "a:1", "user": "1000"}),
    )
    assert [(f[1], f[2], f[3]) for f in found] == [
        ("fail", "container_definitions[0].user", "medium"),
        ("fail", "container_definitions[1].user", "high"),
    ]
    assert "image's USER" in found[0][4] and "'0:0'" in found[1][4]


def test_root_user_depends_on_the_platform(tmp_path):
    containers = (
        {"name": "admin", "image": "a:1", "user": "ContainerAdministrator"},
        {"name": "root", "image": "a:1", "user": "root"},
        {"name": "unset", "image": "a:1"},
    )
    linux = run(EcsContainerRootUser, tmp_path, td("bad_linux", *containers, runtime_platform=LINUX))
    windows = run(EcsContainerRootUser, tmp_path, td("bad_windows", *containers, runtime_platform=WINDOWS))
    # On Linux `ContainerAdministrator` is an ordinary name; on Windows `root` is.
    assert [(f[2], f[3]) for f in linux] == [("container_definitions[1].user", "high"), ("container_definitions[2].user", "medium")]
    assert [(f[2], f[3]) for f in windows] == [("container_definitions[0].user", "high"), ("container_definitions[2].user", "medium")]
    assert "ContainerAdministrator" in windows[1][4]


def test_root_user_with_unknown_platform_judges_both(tmp_path):
    resource = td("bad_unknown_os", {"name": "admin", "image": "a:1", "user": "ContainerAdministrator"}, {"name": "root", "image": "a:1", "user": "0"},
                  runtime_platform=[{"cpu_architecture": "X86_64"}])
    resource["unknown"] = {"runtime_platform": [{"operating_system_family": True}]}
    found = run(EcsContainerRootUser, tmp_path, resource)
    assert [(f[1], f[2]) for f in found] == [("fail", "container_definitions[0].user"), ("fail", "container_definitions[1].user")]


# Booleans as strings, platforms --------------------------------------------------------------


@pytest.mark.parametrize("value, fails", [("true", False), ("True", False), (True, False), ("false", True), (False, True), ("0", True)])
def test_readonly_root_filesystem_string_booleans(tmp_path, value, fails):
    found = run(EcsWritableRootFilesystem, tmp_path, td("t", {"name": "app", "image": "a:1", "readonlyRootFilesystem": value}))
    assert [f[2] for f in found] == (["container_definitions[0].readonlyRootFilesystem"] if fails else [])


def test_writable_root_filesystem_skips_windows(tmp_path):
    assert run(EcsWritableRootFilesystem, tmp_path, td("t", {"name": "iis", "image": "iis:1"}, runtime_platform=WINDOWS)) == []


# Capabilities and security options ----------------------------------------------------------


@pytest.mark.parametrize("name, normal", [("SYS_ADMIN", "SYS_ADMIN"), ("cap_sys_admin", "SYS_ADMIN"), (" all ", "ALL"), ("Cap_Net_Raw", "NET_RAW")])
def test_capability_names_normalise(name, normal):
    assert Capabilities.normalize(name) == normal


@pytest.mark.parametrize(
    "option, unconfined",
    [("seccomp:unconfined", True), ("seccomp=unconfined", True), ("SECCOMP:Unconfined", True), ("apparmor:unconfined", True),
     ("apparmor=unconfined", True), ("label:disable", True), ("label=disable", True), ("systempaths=unconfined", True),
     ("no-new-privileges", False), ("apparmor:docker-default", False), ("label:type:container_t", False),
     ("seccomp:/etc/seccomp.json", False), ("credentialspec:file://gmsa.json", False), ("label:disabled-not", False)],
)
def test_unconfined_security_options(option, unconfined):
    assert bool(_UNCONFINED.match(option)) is unconfined


# Host mounts -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "host_path, sensitive",
    [("/var/run/docker.sock", True), ("/run/docker.sock", True), ("/", True), ("//", True), ("/proc", True), ("/proc/1/root", True),
     ("/sys/fs/cgroup", True), ("/etc", True), ("/etc/", True), ("/etc/ecs/ecs.config", True), ("/root/.ssh", True),
     ("/var/lib/docker", True), ("/var/lib/docker/volumes", True), ("/var", True), ("/var/run", True), ("/dev/mem", True),
     ("/run/containerd/containerd.sock", True), ("/tmp/../etc/shadow", True), ("\\\\.\\pipe\\docker_engine", True),
     ("/var/log/app", False), ("/var/lib/app", False), ("/etc-backup", False), ("/sysdata", False), ("/data", False),
     ("/usr/share/zoneinfo", False), ("/opt/app", False), ("relative/etc", False), ("", False), ("C:\\data", False)],
)
def test_sensitive_host_paths(host_path, sensitive):
    assert sensitive_host_path(host_path) is sensitive


def test_sensitive_mount_matches_volume_by_name(tmp_path):
    found = run(
        EcsSensitiveHostMount, tmp_path,
        td("bad_mix",
           {"name": "a", "image": "a:1", "mountPoints": [{"sourceVolume": "data", "containerPath": "/data"}, {"sourceVolume": "sock", "containerPath": "/s", "readOnly": "true"}]},
           {"name": "b", "image": "b:1", "mountPoints": [{"sourceVolume": "missing", "containerPath": "/m"}]},
           volume=[{"name": "sock", "host_path": "/var/run/docker.sock"}, {"name": "data", "host_path": "/srv/data"}]),
    )
    assert [(f[1], f[2]) for f in found] == [("fail", "container_definitions[0].mountPoints[1].sourceVolume")]
    assert "'/var/run/docker.sock'" in found[0][4] and "read-only" in found[0][4] and "'/s'" in found[0][4]


# Unknown and sensitive values ------------------------------------------------------------


def test_whole_unknown_container_gives_unknown_on_each_path(tmp_path):
    resource = td("unknown_container", {"name": "app", "image": "a:1"}, {"name": "late"})
    resource["unknown"] = {"container_definitions": [False, True]}
    assert [(f[1], f[2]) for f in run(EcsImageMutableTag, tmp_path, resource)] == [("unknown", "container_definitions[1].image")]
    assert [(f[1], f[2]) for f in run(EcsContainerLoggingMissing, tmp_path, resource)] == [
        ("fail", "container_definitions[0].logConfiguration.logDriver"),
        ("unknown", "container_definitions[1].logConfiguration.logDriver"),
    ]


def test_sensitive_values_are_not_printed(tmp_path):
    image = "secret-registry.example/team/secret-app"
    resource = td("bad_sensitive", {"name": "app", "image": image, "user": "root"})
    resource["sensitive"] = {"container_definitions": True}
    for rule in (EcsImageMutableTag, EcsImageUntrustedRegistry, EcsContainerRootUser):
        found = run(rule, tmp_path, resource)
        assert [f[1] for f in found] == ["fail"]
        assert image not in found[0][4] and "secret-registry" not in found[0][4] and "'root'" not in found[0][4]
