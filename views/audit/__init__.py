"""The audit log for administrators (read only)."""
from .routes import bp

__all__ = ["bp"]
