"""In-app notifications: the list, marking read, and the unread badge in the header."""
from .routes import bp

__all__ = ["bp"]
