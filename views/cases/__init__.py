"""Case records: the families, their members, key worker and team."""
from .routes import bp

__all__ = ["bp"]
