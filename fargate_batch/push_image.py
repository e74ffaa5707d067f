"""``make bootstrap`` and ``make push``: put the configured image tag into the stack's ECR repository.

The first deploy into an empty account is three steps in a fixed order (README, "First deploy to an AWS
account"): the repository must exist before an image can be pushed, and the worker service and the
schedules must not exist before the image does (a service whose tasks cannot pull trips the deployment
circuit breaker and stays at 0 tasks after the push).

1. ``bootstrap``: synthesize the stack and ``terraform apply -target`` its ECR repository only (Terraform
   adds what the repository references: the environment's KMS key and the key policy's lookups);
2. ``push`` (the default): on the ``aws`` target, build ``batch_container/`` for the platform of the
   synthesized task definitions (``docker buildx build --platform linux/amd64`` for ``X86_64``), log in to
   ECR with ``aws ecr get-login-password``, and push ``<repository-url>:<image_tag>``, the URL from
   ``terraform output``; on the ``local`` target (the emulator of ``make up``), record the tag in the
   emulator's ECR as a push would (``local_emulator.ecr_images.record_pushed_image``; no Docker needed);
3. the full apply (``npx cdktf deploy``), whose plan no longer warns that the tag is missing.

Tags are immutable: pushing a tag the repository already holds is a no-op that says so. A user mistake
(no configuration, a repository not bootstrapped yet, docker or the AWS CLI missing) exits 2 with the fix.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from fargate_batch.config import ConfigError, config_paths, load_config
from fargate_batch.config.names import stack_name
from fargate_batch.config.schema import ProjectConfig
from fargate_batch.config.targets import TARGET_ENV, TargetError, target_from_environment
from fargate_batch.synth_process import SynthFailed, synthesize

REPO_ROOT = Path(__file__).resolve().parents[1]
BUILD_CONTEXT = REPO_ROOT / "batch_container"

# The task definition's runtimePlatform.cpuArchitecture → the image platform Docker builds.
# https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#runtime-platform
DOCKER_PLATFORMS = {"X86_64": "linux/amd64", "ARM64": "linux/arm64"}


class UserMistake(Exception):
    """Something the person running the command can fix; printed without a traceback, exit 2."""


@dataclass(frozen=True)
class Stack:
    """The synthesized stack of one configuration, for one target."""

    config: ProjectConfig
    directory: Path

    @property
    def terraform_json(self) -> dict:
        path = self.directory / "cdk.tf.json"
        try:
            return json.loads(path.read_text())
        except OSError:
            raise UserMistake(f"{path} does not exist: run `make bootstrap` first (it synthesizes the stack)") from None

    def repository_address(self) -> str:
        """``aws_ecr_repository.<logical id>`` of the batch image's repository (the stack has exactly one)."""
        repositories = self.terraform_json.get("resource", {}).get("aws_ecr_repository", {})
        if len(repositories) != 1:
            raise UserMistake(f"{self.directory}: expected one aws_ecr_repository, found {len(repositories)}")
        (logical_id,) = repositories
        return f"aws_ecr_repository.{logical_id}"

    def docker_platform(self) -> str:
        """The one platform every task definition of the stack runs on, as ``docker build --platform`` names it."""
        definitions = self.terraform_json.get("resource", {}).get("aws_ecs_task_definition", {}).values()
        architectures = {d.get("runtime_platform", {}).get("cpu_architecture", "X86_64") for d in definitions}
        if len(architectures) != 1:
            raise UserMistake(f"the task definitions run on {sorted(architectures)}; one image serves them all")
        (architecture,) = architectures
        return DOCKER_PLATFORMS[architecture]


def _terraform(stack: Stack, work_dir: Path):
    from fargate_batch.terraform_runner import Terraform

    return Terraform(stack_dir=stack.directory, work_dir=work_dir, log_file=work_dir / "terraform.log")


def bootstrap(stack: Stack, work_dir: Path) -> str:
    """Apply only the repository (and what it references); returns its URL."""
    terraform = _terraform(stack, work_dir)
    terraform.init()
    address = stack.repository_address()
    # -target is for "exceptional circumstances, such as ... working around Terraform limitations"
    # (https://developer.hashicorp.com/terraform/cli/commands/plan#resource-targeting): the image cannot exist
    # before its repository, and the services must not exist before the image.
    terraform.run("apply", "-input=false", "-auto-approve", f"-target={address}")
    return repository_url(stack, work_dir)


def repository_url(stack: Stack, work_dir: Path) -> str:
    """The repository's URL as Terraform's state records it (``terraform show -json``).

    Read from the resource, not the ``repository-url`` output: a ``-target`` apply does not write outputs.
    """
    terraform = _terraform(stack, work_dir)
    if not (stack.directory / ".terraform").is_dir():
        terraform.init()
    state = json.loads(terraform.run("show", "-json").stdout or "{}")
    address = stack.repository_address()
    for resource in state.get("values", {}).get("root_module", {}).get("resources", []):
        if resource.get("address") == address and resource.get("values", {}).get("repository_url"):
            return str(resource["values"]["repository_url"])
    raise UserMistake(f"stack {stack.directory.name} has no repository in its state yet: run `make bootstrap` first")


def _require(tool: str, why: str) -> str:
    found = shutil.which(tool)
    if found is None:
        raise UserMistake(f"`{tool}` is not on PATH; {why}")
    return found


def push_to_ecr(url: str, tag: str, platform: str, region: str, *, context: Path = BUILD_CONTEXT) -> str:
    """Build, log in, push; returns what happened. Every command is the documented one:

    - ``aws ecr describe-images``: tags are immutable, so a tag already there is not pushed again;
    - ``docker buildx build --platform <platform> --load``: the image for the task definition's architecture
      (https://docs.docker.com/build/building/multi-platform/); ``--load`` puts it in the local engine;
    - ``aws ecr get-login-password | docker login --username AWS --password-stdin <registry>``
      (https://docs.aws.amazon.com/AmazonECR/latest/userguide/docker-push-ecr-image.html);
    - ``docker push <url>:<tag>``.
    """
    aws = _require(
        "aws", "install the AWS CLI (https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html)"
    )
    docker = _require("docker", "install Docker with buildx (https://docs.docker.com/get-docker/)")
    registry, _, repository = url.partition("/")
    image = f"{url}:{tag}"
    held = subprocess.run(
        [aws, "ecr", "describe-images", "--region", region, "--repository-name", repository,
         "--image-ids", f"imageTag={tag}", "--output", "json"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if held.returncode == 0:
        return f"{image} is already in the repository (tags are immutable): nothing to push"
    if "ImageNotFoundException" not in held.stderr:
        raise UserMistake(f"aws ecr describe-images failed (exit {held.returncode}): {held.stderr.strip()}")
    _run([docker, "buildx", "build", "--platform", platform, "--tag", image, "--load", str(context)])
    password = _run([aws, "ecr", "get-login-password", "--region", region], capture=True)
    _run([docker, "login", "--username", "AWS", "--password-stdin", registry], stdin=password)
    _run([docker, "push", image])
    return f"pushed {image} ({platform})"


def _run(command: list[str], *, stdin: str | None = None, capture: bool = False) -> str:
    shown = " ".join(Path(command[0]).name if i == 0 else part for i, part in enumerate(command))
    print(f"$ {shown}", flush=True)
    result = subprocess.run(command, input=stdin, capture_output=capture, text=True, check=False)
    if result.returncode != 0:
        raise UserMistake(
            f"`{shown}` failed (exit {result.returncode})" + (f": {result.stderr.strip()}" if capture else "")
        )
    return result.stdout if capture else ""


def record_in_emulator(config: ProjectConfig, endpoint: str) -> str:
    """The local target: the emulator's ECR gets the tag as a push would leave it (no Docker involved)."""
    import boto3
    from botocore.exceptions import ClientError, EndpointConnectionError

    from fargate_batch.config.names import SharedNames
    from fargate_batch.config.targets import LOCAL_ACCESS_KEY, LOCAL_SECRET_KEY
    from local_emulator.ecr_images import record_pushed_image

    ecr = boto3.client(
        "ecr",
        endpoint_url=endpoint,
        region_name=config.region,
        aws_access_key_id=LOCAL_ACCESS_KEY,
        aws_secret_access_key=LOCAL_SECRET_KEY,
    )
    name = SharedNames(config.name_prefix).repository
    try:
        url = ecr.describe_repositories(repositoryNames=[name])["repositories"][0]["repositoryUri"]
    except ClientError:
        raise UserMistake(
            f"the local AWS on {endpoint} has no repository {name}: run `make bootstrap` (or `make run`) first"
        ) from None
    except EndpointConnectionError:
        raise UserMistake(f"nothing answers on {endpoint}: start the local AWS with `make up`") from None
    digest = record_pushed_image(ecr, url, config.container.image_tag)
    return f"recorded {url}:{config.container.image_tag} in the emulator's ECR ({digest})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make push", description=__doc__.splitlines()[0])
    parser.add_argument("command", nargs="?", choices=("push", "bootstrap"), default="push")
    parser.add_argument("--config", default=os.environ.get("FARGATE_BATCH_CONFIG", "config/dev.toml"))
    parser.add_argument("--work-dir", default=str(REPO_ROOT / ".local"))
    parser.add_argument("--outdir", default=str(REPO_ROOT / "cdktf.out"), help="where the stack is synthesized")
    args = parser.parse_args(argv)
    try:
        paths = config_paths(args.config)
        if len(paths) != 1:
            raise UserMistake(
                f"{args.config!r} names {len(paths)} files; {parser.prog} works on one environment: "
                "FARGATE_BATCH_CONFIG=config/<env>.toml"
            )
        config = load_config(paths[0])
        target = target_from_environment()
        work_dir = Path(args.work_dir)
        work_dir.mkdir(parents=True, exist_ok=True)
        stack = Stack(config, Path(args.outdir) / "stacks" / stack_name(config))
        if args.command == "bootstrap":
            synthesize(str(Path(paths[0]).resolve()), Path(args.outdir))
            url = bootstrap(stack, work_dir)
            print(f"repository ready: {url}\nnext: make push (then the full apply: npx cdktf deploy)")
        elif target.is_local:
            print(record_in_emulator(config, target.endpoint_url))
        else:
            if not (stack.directory / "cdk.tf.json").exists():
                synthesize(str(Path(paths[0]).resolve()), Path(args.outdir))
            url = repository_url(stack, work_dir)
            print(push_to_ecr(url, config.container.image_tag, stack.docker_platform(), config.region))
            print("next: the full apply (npx cdktf deploy)")
    except ConfigError as error:
        print(f"configuration problems:\n{error}", file=sys.stderr)
        return 2
    except (UserMistake, TargetError, SynthFailed) as error:
        print(f"{parser.prog}: {error}", file=sys.stderr)
        return 2
    except Exception as error:  # a terraform failure: its own output says why
        from fargate_batch.terraform_runner import TerraformError

        if isinstance(error, TerraformError):
            print(f"{error}\n(target {os.environ.get(TARGET_ENV, 'local')})", file=sys.stderr)
            return 1
        raise
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
