"""Demo and synthetic data of the contacts area."""
