"""Administration: accounts and the organisation profile."""
from .routes import bp

__all__ = ["bp"]
