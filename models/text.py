"""Text helpers for searching names in Czech and Polish."""
import unicodedata


def fold(text):
    """Lower-case ``text`` without diacritics, for search: "Dvořák" → "dvorak", "Łukasz" → "lukasz"."""
    text = (text or "").casefold().replace("ł", "l")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))
