"""Signing in and out, and setting a password from a one-time link."""
from .routes import bp

__all__ = ["bp"]
