"""Conflict-of-interest declarations of staff members."""
from .routes import bp

__all__ = ["bp"]
