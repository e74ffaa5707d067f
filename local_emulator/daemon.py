"""The local AWS that stays up: the emulator, the ECS agent and the scheduler clock in one process.

``python -m local_emulator.daemon --port 5000 --region ap-northeast-1`` runs until SIGTERM or SIGINT; then
it stops every task it runs and the server, so nothing is left listening or running. ``make up`` starts it
in the background (``fargate_batch.local_aws``); any client — the AWS CLI, boto3, terraform, cdktf —
then gets what AWS would do: tasks run when launched, services keep their desired count, schedules fire
at their times, CloudWatch alarms are evaluated every few seconds and notify their topics.
"""

from __future__ import annotations

import argparse
import signal
import threading

from local_emulator.server import HOST


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--region", action="append", required=True, help="a region whose tasks and schedules run")
    args = parser.parse_args(argv)

    from local_emulator.alarm_evaluator import AlarmEvaluatorLoop
    from local_emulator.ecs_agent import EcsAgent
    from local_emulator.scheduler_clock import SchedulerClock
    from local_emulator.server import start_server

    server = start_server(args.port)
    endpoint = f"http://{HOST}:{args.port}"
    agents = [
        EcsAgent(endpoint=endpoint, region=region, maintain_services=True, task_timeout_seconds=None, poll_seconds=0.2)
        for region in args.region
    ]
    for agent in agents:
        agent.start()
    clock = SchedulerClock(endpoint, tuple(args.region), log=lambda line: print(line, flush=True)).start()
    # In this process, next to the server: alarm actions are authorized and logged where the decisions live.
    alarms = AlarmEvaluatorLoop(log=lambda line: print(line, flush=True)).start()
    print(
        f"local AWS up on {endpoint}: ECS agent, scheduler clock and alarm evaluator for {', '.join(args.region)}",
        flush=True,
    )

    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    while not stopping.wait(1):
        pass
    alarms.stop()
    clock.stop()
    for agent in agents:
        agent.stop()
    server.stop()
    print("local AWS down", flush=True)


if __name__ == "__main__":
    main()
