"""Caseloads: how many families each key worker works with, against the country profile."""
from .routes import bp

__all__ = ["bp"]
