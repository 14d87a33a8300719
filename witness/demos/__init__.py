"""Demo chapters per feature area, run in ORDER after the reflection-period story (witness/demo.py)."""
