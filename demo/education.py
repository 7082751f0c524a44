"""Demo and synthetic data of the education area."""
