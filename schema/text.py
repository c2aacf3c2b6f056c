"""Text normalisation shared by every parser, so that sources agree on what "the same text" is."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    """NFC, every Unicode space (U+00A0, U+2002 …) as a plain space, runs of whitespace folded, trimmed."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text).replace("\u00ad", "")).strip()
