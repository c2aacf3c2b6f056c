"""German, as the Austrian DSB writes it: "GZ: DSB-D550.037/0003-DSB/2018 vom 20.12.2018", "Jänner",
"€ 2.200,00", "EUR 30,--"; a Straferkenntnis fines, an Ermahnung reprimands, a Bescheid decides a
complaint (upheld with an order, or "abgewiesen")."""

from parsers.decision_lang import Grammar
from schema.enforcement import Outcome, PartyRole

GRAMMAR = Grammar(
    lang="de",
    countries=frozenset({"AT", "DE", "LI", "LU", "BE", "CH"}),
    stopwords=frozenset({"der", "die", "das", "und", "ist", "nicht", "mit", "von", "wird", "den", "dem", "des"}),
    months={"jänner": 1, "januar": 1, "feber": 2, "februar": 2, "märz": 3, "april": 4, "mai": 5, "juni": 6,
            "juli": 7, "august": 8, "september": 9, "oktober": 10, "november": 11, "dezember": 12},
    date_patterns=(
        r"(?P<d>\d{1,2})\. ?(?P<m>\d{1,2})\. ?(?P<y>\d{4})",
        r"(?P<d>\d{1,2})\. (?P<month>{month}) (?P<y>\d{4})",
        r"(?P<month>{month}) (?P<y>\d{4})",
    ),
    thousands=".",
    decimal=",",
    currencies={"€": "EUR", "EUR": "EUR", "Euro": "EUR"},
    fine_cues=(r"Gesamt:", r"In Summe(?: somit)?:", r"Geldstrafe von", r"Geldbuße (?:in der Höhe )?von"),
    outcomes=(
        (Outcome.FINE, r"Straferkenntnis|Geldstrafe|Geldbuße"),
        (Outcome.BAN, r"untersagt|Verbot der Verarbeitung"),
        (Outcome.REPRIMAND, r"Ermahnung|Verwarnung"),
        (Outcome.ORDER, r"aufgetragen"),
        (Outcome.DISMISSAL, r"abgewiesen|zurückgewiesen|eingestellt"),
    ),
    reasons=r"^\s*Begründung\s*:?\s*$",
    ruling=None,
    decision_date_cues=(r"^(?:GZ:? )?\S+ vom {date}",),
    publication_date_cues=(),
    case_patterns=(r"^(?:GZ:? )?(?P<ref>\S+) vom \d",),
    # "gegen die N*** Bank AG (Beschwerdegegnerin)", "des N*** Hilfs- und Rettungsverbandes (Verantwortliche)"
    party_patterns=(
        r"(?:gegen|des) (?:die |den |das |der )?(?P<name>(?:(?! des | gegen )[^()]){3,120}?) \((?P<role>{role})\b",
    ),
    roles={"beschwerdegegner": PartyRole.RESPONDENT, "beschwerdegegnerin": PartyRole.RESPONDENT,
           "verantwortliche": PartyRole.CONTROLLER, "verantwortlicher": PartyRole.CONTROLLER,
           "auftragsverarbeiter": PartyRole.PROCESSOR, "auftragsverarbeiterin": PartyRole.PROCESSOR},
    other_laws=(
        ("the DSG", r"\bDSG\b|Datenschutzgesetz"),
        ("the VStG", r"\bVStG\b|Verwaltungsstrafgesetz"),
        ("the TKG 2003", r"\bTKG 2003\b|Telekommunikationsgesetz"),
    ),
)
