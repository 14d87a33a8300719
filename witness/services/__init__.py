"""Use cases: one function per action, each one transaction, each taking the acting person."""
