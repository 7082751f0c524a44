"""The signed-in user's own account."""
from .routes import bp

__all__ = ["bp"]
