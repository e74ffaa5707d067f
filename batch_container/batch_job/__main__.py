import sys

from batch_job.main import main

sys.exit(main(sys.argv[1:]))
