"""Text normalisation shared by every parser, so that sources agree on what "the same text" is."""

from __future__ import annotations

import unicodedata


def normalise(text: str) -> str:
    """NFC, soft hyphens dropped, every Unicode space (U+00A0, U+2002 …) and run of whitespace folded
    to one plain space, trimmed."""
    if not text.isascii():
        text = unicodedata.normalize("NFC", text).replace("\u00ad", "")
    return " ".join(text.split())
