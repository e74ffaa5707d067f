"""Typed, validated configuration: ``load_config("config/dev.toml")``."""

from fargate_batch.config.loader import ConfigError, load_config
from fargate_batch.config.schema import (
    ActivityConfig,
    AlertsConfig,
    BackendConfig,
    ContainerConfig,
    NetworkConfig,
    PipelineConfig,
    ProjectConfig,
    RetryConfig,
    ScheduleConfig,
    StateMachineLoggingConfig,
    StepConfig,
    TriggerConfig,
)

__all__ = [
    "ActivityConfig",
    "AlertsConfig",
    "BackendConfig",
    "ConfigError",
    "ContainerConfig",
    "NetworkConfig",
    "PipelineConfig",
    "ProjectConfig",
    "RetryConfig",
    "ScheduleConfig",
    "StateMachineLoggingConfig",
    "StepConfig",
    "TriggerConfig",
    "load_config",
]
