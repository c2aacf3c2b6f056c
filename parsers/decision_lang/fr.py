"""French, as the Luxembourg CNPD writes it: "Décision N° 8/2020 du 3 avril 2020", "1er août 2018",
"5 000 euros"; an amende fines, an avertissement or a réprimande reprimands, an avis is an opinion."""

from parsers.decision_lang import Grammar
from schema.enforcement import Outcome, PartyRole

GRAMMAR = Grammar(
    lang="fr",
    countries=frozenset({"FR", "BE", "LU", "CH"}),
    stopwords=frozenset({"le", "la", "les", "des", "du", "et", "est", "une", "que", "pour", "dans", "sur"}),
    months={"janvier": 1, "février": 2, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6,
            "juillet": 7, "août": 8, "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11,
            "décembre": 12, "decembre": 12},
    date_patterns=(
        r"(?P<d>\d{1,2})(?:er)? (?P<month>{month}) (?P<y>\d{4})",
        r"(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})",
    ),
    thousands=" .",
    decimal=",",
    currencies={"€": "EUR", "EUR": "EUR", "euros": "EUR", "euro": "EUR"},
    fine_cues=(r"amende (?:administrative )?(?:d'un montant )?de",),
    outcomes=(
        (Outcome.FINE, r"\bamende\b"),
        (Outcome.BAN, r"limitation temporaire|interdiction (?:temporaire|définitive)"),
        (Outcome.REPRIMAND, r"\bavertissement\b|\bréprimande\b|rappel à l'ordre"),
        (Outcome.ORDER, r"\binjonction\b|mise en demeure"),
        (Outcome.DISMISSAL, r"classement sans suite|\brejette\b"),
        (Outcome.OPINION, r"^Avis\b"),
    ),
    reasons=r"^\s*(?:Vu|Conformément)\b",
    ruling=r"^\s*Décide\s*:\s*$",
    decision_date_cues=(r"(?:Décision|Délibération) n° ?\S+ du {date}", r"décidé à \S+ en date du {date}"),
    publication_date_cues=(),
    case_patterns=(r"(?P<ref>(?:Décision|Délibération) n° ?\d+/\d{4})",),
    party_patterns=(r"(?:à l'encontre de|contre) la société (?P<name>[A-Z][^,;()]{1,80}?)(?=[,;(])",),
    roles={"responsable du traitement": PartyRole.CONTROLLER, "sous-traitant": PartyRole.PROCESSOR},
    other_laws=(("the law of 1 August 2018", r"loi du 1er août 2018"),),
)
