"""Demo chapters per feature area, told after the reflection-period story (witness/demo.py), in
the order witness/wiring.py lists them."""
