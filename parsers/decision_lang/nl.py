"""Dutch, as the AP writes it: "16 juli 2019", "maart 2019", "€ 725.000,--", "725.000 euro"; a boete
fines, a last onder dwangsom orders, an onderzoeksrapport states findings."""

from parsers.decision_lang import Grammar
from schema.enforcement import Outcome, PartyRole

GRAMMAR = Grammar(
    lang="nl",
    countries=frozenset({"NL", "BE"}),
    stopwords=frozenset({"de", "het", "een", "van", "en", "is", "dat", "niet", "op", "zijn", "voor", "heeft"}),
    months={"januari": 1, "februari": 2, "maart": 3, "april": 4, "mei": 5, "juni": 6, "juli": 7,
            "augustus": 8, "september": 9, "oktober": 10, "november": 11, "december": 12},
    date_patterns=(
        r"(?P<d>\d{1,2}) (?P<month>{month}) (?P<y>\d{4})",
        r"(?P<month>{month}) (?P<y>\d{4})",
        r"(?P<d>\d{1,2})-(?P<m>\d{1,2})-(?P<y>\d{4})",
    ),
    thousands=".",
    decimal=",",
    currencies={"€": "EUR", "EUR": "EUR", "euro": "EUR"},
    fine_cues=(r"boete (?:opgelegd )?(?:op )?van",),
    outcomes=(
        (Outcome.FINE, r"\bboete\b"),
        (Outcome.REPRIMAND, r"\bberisping\b"),
        (Outcome.ORDER, r"last onder dwangsom|\bbevel\b"),
        (Outcome.FINDINGS, r"\b(?:onderzoeks)?rapport\b"),
    ),
    reasons=r"^\s*(?:Aanleiding\b.*|Inhoudsopgave|\d+\.\s*Inleiding)\s*$",
    ruling=r"^\s*(?:\d+\.\s*)?(?:Sanctie|Conclusies)\s*$",
    decision_date_cues=(),
    publication_date_cues=(r"Onderzoeksrapport {date}",),
    case_patterns=(),
    party_patterns=(r"(?P<name>\b[Ss]tichting [\w-]+) (?:als |is )?(?P<role>{role})\b",),
    roles={"verwerkingsverantwoordelijke": PartyRole.CONTROLLER,
           "mede-verwerkingsverantwoordelijke": PartyRole.CONTROLLER, "verwerker": PartyRole.PROCESSOR},
    other_laws=(("the UAVG", r"\bUAVG\b|Uitvoeringswet AVG"),),
)
