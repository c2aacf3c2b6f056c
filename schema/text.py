"""Text normalisation shared by every parser, so that sources agree on what "the same text" is."""

from __future__ import annotations

import unicodedata


def normalise(text: str) -> str:
    """NFC, soft hyphens dropped, every Unicode space (U+00A0, U+2002 …) and run of whitespace folded
    to one plain space, trimmed."""
    if not text.isascii():
        text = unicodedata.normalize("NFC", text).replace("\u00ad", "")
    # Most texts are already normal: printable means no space but U+0020, so only doubled or outer ones remain.
    if text.isprintable() and "  " not in text and not text.startswith(" ") and not text.endswith(" "):
        return text
    return " ".join(text.split())
