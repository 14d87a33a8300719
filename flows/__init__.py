"""Thin Prefect flows: parameters and a readable sequence of task calls. The rules live in `witness`."""
