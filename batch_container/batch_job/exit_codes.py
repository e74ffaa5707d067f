"""What the program's exit codes mean (the Step Functions alert quotes the code)."""

OK = 0
USAGE = 2  # bad arguments or missing configuration
INPUT_MISSING = 3  # the object to process does not exist
INPUT_UNREADABLE = 4  # the object or an AWS API could not be read
NOTIFY_FAILED = 5  # the Slack webhook did not accept the message
