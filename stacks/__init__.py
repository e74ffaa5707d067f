"""Deployable units: each composes constructs from ``modules`` into one Terraform stack."""
