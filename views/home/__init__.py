"""Home pages, one per role."""
from .routes import bp

__all__ = ["bp"]
