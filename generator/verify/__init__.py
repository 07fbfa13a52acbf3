"""Stage 3, verify: read a built PDF back and prove its sections, structure and layout are what a patient needs."""
