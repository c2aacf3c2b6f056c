"""Swedish, as Datainspektionen (now IMY) writes it: "Beslut 2020-06-15 DI-2018-14593", "15 juni 2020",
"20 000 kronor"; a sanktionsavgift fines, a föreläggande orders, and a case with no further action
is closed ("Ärendet avslutas")."""

from parsers.decision_lang import Grammar
from schema.enforcement import Outcome, PartyRole

_WORD = r"[A-ZÅÄÖ][\wåäöÅÄÖ-]*"  # a capitalised word

GRAMMAR = Grammar(
    lang="sv",
    countries=frozenset({"SE", "FI"}),
    stopwords=frozenset({"och", "att", "det", "som", "en", "är", "av", "för", "med", "har", "till", "inte"}),
    months={"januari": 1, "februari": 2, "mars": 3, "april": 4, "maj": 5, "juni": 6, "juli": 7,
            "augusti": 8, "september": 9, "oktober": 10, "november": 11, "december": 12},
    date_patterns=(
        r"(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})",
        r"(?P<d>\d{1,2}) (?P<month>{month}) (?P<y>\d{4})",
    ),
    thousands=" ",
    decimal=",",
    currencies={"SEK": "SEK", "kronor": "SEK", "kr": "SEK", "€": "EUR", "euro": "EUR"},
    fine_cues=(r"sanktionsavgift (?:på|om)",),
    outcomes=(
        (Outcome.FINE, r"sanktionsavgift"),
        (Outcome.BAN, r"\bförbud|\bförbjud"),
        (Outcome.REPRIMAND, r"\breprimand"),
        (Outcome.ORDER, r"\bförelägg"),
        (Outcome.DISMISSAL, r"ärendet avslutas|inga (?:ytterligare )?åtgärder"),
    ),
    reasons=r"^\s*Redogörelse för tillsynsärendet\s*$",
    ruling=r"^\s*(?:Datainspektionens|Integritetsskyddsmyndighetens|IMY:s) beslut\s*$",
    decision_date_cues=(r"^Beslut\b.{0,40}?{date}",),
    publication_date_cues=(),
    case_patterns=(r"\b(?P<ref>DI-\d{4}-\d+)\b",),
    party_patterns=(
        rf"(?P<name>\b{_WORD}(?: {_WORD})*)(?: i {_WORD})?, org\. ?nr",  # "BRF Gårdsbjörken i Halmstad, org. nr"
        rf"konstaterar att (?P<name>{_WORD}) har",
    ),
    roles={"personuppgiftsansvarig": PartyRole.CONTROLLER, "personuppgiftsbiträde": PartyRole.PROCESSOR},
    other_laws=(
        ("lagen om belastningsregister", r"lagen (?:\(\d{4}:\d+\) )?om belastningsregister"),
        ("brottsdatalagen", r"brottsdatalagen"),
        ("kamerabevakningslagen", r"kamerabevakningslagen"),
    ),
)
