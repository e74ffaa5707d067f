"""What the size tests share: names and ARNs at their longest, an environment around given workflow tables,
the largest count a limit accepts, and the stack synthesized from such an environment."""

from __future__ import annotations

from collections.abc import Callable

from fargate_batch.config import limits, load_config, rules, sizes
from fargate_batch.config.targets import Target

PREFIX = "p" * rules.NAME_PREFIX_MAX
PARTITION = max(limits.REGIONS_BY_PARTITION, key=len)
REGION = max((r for regions in limits.REGIONS_BY_PARTITION.values() for r in regions), key=len)
ACCOUNT = "123456789012"
# The rule description "Objects created under <prefix>*<suffix> start <rule>" has 512 characters at most,
# and the rule name 64: what is left is the longest prefix and suffix together.
KEY_ROOM = limits.EVENT_RULE_DESCRIPTION_MAX - sizes.object_created_rule_description_characters(
    "", "", "r" * limits.NAME_LIMITS["event_rule"].max_length
)


def environment_text(workflow_tables: str) -> str:
    """A configuration with the longest name prefix and the given [[pipelines]]/[[triggers]] tables."""
    return (
        f'name_prefix = "{PREFIX}"\nregion = "ap-northeast-1"\n\n[network]\ncreate_vpc = true\n\n'
        f'[container]\nimage_tag = "v1"\n{workflow_tables}'
    )


def most_accepted(fits: Callable[[int], bool]) -> int:
    """The largest count (from 1) whose successor no longer ``fits``."""
    return next(count for count in range(1, 1000) if not fits(count + 1))


def synthesized(tmp_path_factory, synth, name: str, text: str) -> dict:
    """The stack of the configuration ``text``, synthesized for AWS (once per session: conftest ``synth``)."""
    path = tmp_path_factory.mktemp(name) / f"{name}.toml"
    path.write_text(text)
    return synth(load_config(path), Target("aws"))[0]
