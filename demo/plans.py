"""Demo and synthetic data of the plans area."""
