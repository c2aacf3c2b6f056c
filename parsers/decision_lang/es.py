"""Spanish, as the AEPD writes it: "Procedimiento Nº: PS/00009/2020", "4 de agosto de 2020",
"60.000 €", "55.000 euros"; a resolution fines (or ends by voluntary payment of the fine), warns
(apercibimiento), orders, or dismisses (archivo, desestimar). The AEPD dates its resolutions in the
PDF's title ("Resolución de fecha 28-07-2020"), not in the signed text."""

from parsers.decision_lang import Grammar
from schema.enforcement import Outcome, PartyRole

# A party as the AEPD writes it: capitalised, its legal form after a comma ("VODAFONE ESPAÑA, S.A.U.").
_NAME = r"[A-ZÁÉÍÓÚÑ][^,;()]{1,80}?(?:, ?[A-Z][A-Z. ]{1,8})?"

GRAMMAR = Grammar(
    lang="es",
    countries=frozenset({"ES"}),
    stopwords=frozenset({"el", "la", "los", "las", "del", "que", "por", "con", "para", "una", "se", "y"}),
    months={"enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7, "agosto": 8,
            "septiembre": 9, "setiembre": 9, "octubre": 10, "noviembre": 11, "diciembre": 12},
    date_patterns=(
        r"(?P<d>\d{1,2}) de (?P<month>{month}) de (?P<y>\d{4})",
        r"(?P<d>\d{1,2})[/-](?P<m>\d{1,2})[/-](?P<y>\d{4})",
    ),
    thousands=".",
    decimal=",",
    currencies={"€": "EUR", "EUR": "EUR", "euros": "EUR", "euro": "EUR"},
    # The amount paid ends the procedure; the amount imposed stands when nothing was paid.
    fine_cues=(r"pago de la sanción en la cuantía de", r"importe de la sanción .{0,60}? se fijó en",
               r"multa administrativa de", r"multa de", r"sanción de"),
    outcomes=(
        (Outcome.FINE, r"\bmulta\b|pago voluntario|importe de la sanción|\bsancionar\b|sanción de \d"),
        (Outcome.REPRIMAND, r"apercibimiento"),
        (Outcome.ORDER, r"\brequerir\b|\bordenar\b"),
        (Outcome.DISMISSAL, r"\barchivo\b|\bdesestimar\b|\binadmitir\b"),
    ),
    reasons=r"^\s*(?-i:ANTECEDENTES|HECHOS)\s*$",
    ruling=r"(?-i:RESUELVE|SE ACUERDA)\s*:\s*$",
    decision_date_cues=(r"Resolución de fecha {date}",),
    publication_date_cues=(),
    case_patterns=(r"(?:Procedimiento|Expediente) n[º°]\.?:? (?P<ref>[A-Z]{1,3}/\d+/\d{4})",),
    party_patterns=(
        rf"(?:\ba|contra|frente a) (?:la |el )?(?P<name>{_NAME})(?:,? con NIF \w+)?,? \("
        r"(?:[^()]{0,40}?, )?en (?:adelante|lo sucesivo),? (?:el |la )?(?P<role>{role})\b",
        rf"(?:\ba|contra|frente a) (?:la |el )?(?P<name>{_NAME}),? con NIF",
    ),
    roles={"reclamado": PartyRole.RESPONDENT, "reclamada": PartyRole.RESPONDENT,
           "responsable del tratamiento": PartyRole.CONTROLLER, "encargado del tratamiento": PartyRole.PROCESSOR},
    other_laws=(
        ("the LOPDGDD", r"\bLOPDGDD\b|Ley Orgánica 3/2018"),
        ("the LPACAP", r"\bLPACAP\b|Ley 39/2015"),
        ("the LSSI", r"\bLSSI\b|Ley 34/2002"),
        ("the LGT", r"\bLGT\b|Ley 9/2014"),
    ),
)
