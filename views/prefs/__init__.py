"""Language and text-size preferences, available on every page, signed in or not."""
from .routes import bp, get_locale, text_size

__all__ = ["bp", "get_locale", "text_size"]
