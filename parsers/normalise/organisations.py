"""Names of fined organisations → ``Organisation``: the name, its legal form, and a match key.

The legal form ("S.A.U.", "GmbH", "Ltd" …) is split off the end of the name and kept, as written, in
``legal_form``; it is left out of ``key``, which is the rest of the name casefolded with accents and
punctuation dropped. So "VODAFONE ESPAÑA, S.A.U.", "Vodafone España, SAU" and "Vodafone Espana" share
the key ``vodafone espana``, while the records keep what each source wrote.
"""

from __future__ import annotations

import re

from parsers.normalise._keys import match_key
from schema.enforcement import Organisation
from schema.text import normalise

# Legal forms of companies in the EEA, the UK and the US, as their letters: a form matches with or
# without dots and spaces between them ("S.A.U.", "SAU", "S. A. U.").
_LEGAL_FORMS = (
    "GmbH & Co. KG", "Sp. z o.o.", "Sp.k.", "S.A.U.", "S.L.U.", "S.A.S.", "S.p.A.", "S.r.l.", "S.L.", "S.A.",
    "SARL", "SAS", "S.C.", "GmbH", "AG", "SE", "KG", "e.V.", "Ltd", "Limited", "LLC", "LLP", "Inc.",
    "Corp.", "plc", "B.V.", "N.V.", "C.V.", "AB", "A/S", "ASA", "AS", "ApS", "Oy", "Oyj", "s.r.o.", "a.s.",
    "Kft.", "Zrt.", "Nyrt.", "Bt.", "d.o.o.", "d.d.", "EOOD", "OOD", "EAD", "AD", "Lda", "IKE", "EPE",
)


def _letters_pattern(form: str) -> str:
    letters = [re.escape(char) for char in form if char.isalnum() or char == "&"]
    return r"[\s./]*".join(letters) + r"\.?"


_SUFFIX = re.compile(
    r"[\s,]+(?P<form>" + "|".join(_letters_pattern(form) for form in _LEGAL_FORMS) + r")\s*$",
    re.IGNORECASE,
)


def organisation(text: str) -> Organisation:
    """``"Vodafone España, S.A.U."`` → name "Vodafone España", legal form "S.A.U.", key "vodafone espana"."""
    text = normalise(text)
    match = _SUFFIX.search(text)
    name, form = (text[: match.start()], match["form"]) if match else (text, None)
    return Organisation(name=name, legal_form=form, key=match_key(name))
