"""Typed, validated configuration: ``load_config("config/dev.toml")``, or ``load_configs(paths)`` for one app."""

from fargate_batch.config.loader import ConfigError, config_paths, load_config, load_configs
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
    "config_paths",
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
    "load_configs",
]
