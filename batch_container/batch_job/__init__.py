"""The batch program the image runs: ``echo``, ``process``, ``notify``, ``activity-worker``."""
