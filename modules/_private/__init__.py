"""Pure helpers shared by the constructs: ASL rendering, IAM statements."""
