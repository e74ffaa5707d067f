"""A local AWS emulator for fargate-batch: moto in server mode plus small, documented corrections.

moto emulates the APIs; the modules in ``patches/`` each correct one behaviour where moto differs
from AWS in a way that breaks a Terraform deploy or a workflow run (each names the moto behaviour
and what AWS does). ``ecs_agent`` plays the part of Fargate: it runs each task's container as a
local process. ``scheduler_clock`` plays the part of EventBridge Scheduler's clock.
"""
