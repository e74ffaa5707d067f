"""``make run``: deploy to the local AWS emulator with real terraform and run every workflow."""
