"""Entry point of the image (and of the local emulator's ECS agent): ``python main.py SUBCOMMAND ...``."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from batch_job.main import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
