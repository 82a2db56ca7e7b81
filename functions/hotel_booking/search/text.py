"""Text as search compares it: case- and accent-insensitive, spaces collapsed."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """``"  Málaga  Centro"`` -> ``"malaga centro"``; ``"Straße"`` -> ``"strasse"``."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())
