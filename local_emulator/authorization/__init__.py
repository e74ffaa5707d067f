"""Authorization as AWS does it, for the local emulator."""
