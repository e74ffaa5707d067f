"""Constructs, one AWS concept per file. Importing this package installs the fast provider import."""

from fargate_batch import fast_provider_import

fast_provider_import.install()
