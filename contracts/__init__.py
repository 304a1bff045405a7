"""madaster-contracts: snapshots, contract tests and breaking-change diffs for the Madaster API."""

__version__ = "0.1.0"
