"""Run the emulator: ``python -m local_emulator.server --port N`` (loopback only).

:func:`start_emulator` starts it as a child process on a free port and waits until it answers.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

HOST = "127.0.0.1"
READY_LINE = "local-emulator ready"


def free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def start_server(port: int):
    """The patched moto server, answering on loopback in this process's threads."""
    # The interpreter's integrations call back into this server through MOTO_PORT.
    os.environ["MOTO_PORT"] = str(port)
    os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    from moto.core.config import default_user_config

    from local_emulator.patches import apply_all

    apply_all()
    # Same as POST /moto-api/config {"stepfunctions": {"execute_state_machine": true}}, before any machine exists.
    default_user_config["stepfunctions"] = {"execute_state_machine": True}
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address=HOST, port=port, verbose=False)
    server.start()
    print(f"{READY_LINE} on http://{HOST}:{port}", flush=True)
    return server


def serve(port: int) -> None:
    server = start_server(port)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()


@dataclass
class Emulator:
    process: subprocess.Popen
    port: int
    log_path: Path | None = None

    @property
    def endpoint(self) -> str:
        return f"http://{HOST}:{self.port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def __enter__(self) -> Emulator:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def start_emulator(port: int | None = None, *, log_path: Path | None = None, timeout_seconds: float = 30) -> Emulator:
    port = port or free_port()
    repo_root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(repo_root), os.environ.get("PYTHONPATH")]))}
    log = open(log_path, "w") if log_path else subprocess.DEVNULL  # noqa: SIM115 (owned by the child)
    process = subprocess.Popen(
        [sys.executable, "-m", "local_emulator.server", "--port", str(port)],
        cwd=repo_root,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    emulator = Emulator(process, port, log_path)
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the emulator exited with {process.returncode}; see {log_path or 'its output'}")
        try:
            with urllib.request.urlopen(f"{emulator.endpoint}/moto-api/config", timeout=1):
                return emulator
        except OSError:
            time.sleep(0.1)
    emulator.stop()
    raise RuntimeError(f"the emulator did not answer on {emulator.endpoint} within {timeout_seconds:.0f} s")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="fargate-batch local AWS emulator (moto + corrections)")
    parser.add_argument("--port", type=int, default=5000)
    serve(parser.parse_args(argv).port)


if __name__ == "__main__":
    main()
