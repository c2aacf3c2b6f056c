"""Match keys: what two spellings of one name have in common."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_NON_WORD = re.compile(r"[\W_]+")
# Letters that do not decompose into a base letter plus an accent.
_LETTERS = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "đ": "d", "ł": "l", "þ": "th", "ð": "d", "ı": "i"})
# German transliteration: "Württemberg" is also written "Wuerttemberg".
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue"})


# The law's 24 languages have about 100,000 distinct words: all of them fit.
@lru_cache(maxsize=1 << 18)
def match_key(text: str, *, umlauts: bool = False) -> str:
    """Casefolded, accents dropped, every run of punctuation and space one space:
    ``"Persónuvernd ('Iceland')"`` → ``"personuvernd iceland"``. With ``umlauts``, ä/ö/ü become ae/oe/ue."""
    text = text.casefold()
    if umlauts:
        text = text.translate(_UMLAUTS)
    text = unicodedata.normalize("NFKD", text.translate(_LETTERS))
    text = "".join(char for char in text if not unicodedata.combining(char))
    return _NON_WORD.sub(" ", text).strip()
