"""English, as the ICO writes it: "Dated the 4th day of August 2020", "12 August 2020", "£500,000";
a monetary penalty notice fines, an enforcement notice orders, a reprimand reprimands."""

from parsers.decision_lang import Grammar
from schema.enforcement import Outcome, PartyRole

GRAMMAR = Grammar(
    lang="en",
    countries=frozenset({"GB", "IE", "MT", "IM"}),
    stopwords=frozenset({"the", "of", "and", "to", "in", "is", "that", "for", "by", "with", "was", "has"}),
    months={"january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
            "august": 8, "september": 9, "october": 10, "november": 11, "december": 12},
    date_patterns=(
        r"(?P<d>\d{1,2})(?:st|nd|rd|th)?(?: day of)? (?P<month>{month}),? (?P<y>\d{4})",
        r"(?P<month>{month}) (?P<d>\d{1,2}),? (?P<y>\d{4})",
        r"(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})",
    ),
    thousands=",",
    decimal=".",
    currencies={"£": "GBP", "GBP": "GBP", "€": "EUR", "EUR": "EUR"},
    fine_cues=(r"penalty in the sum of", r"monetary penalty of", r"fine of"),
    outcomes=(
        (Outcome.FINE, r"monetary penalty|penalty notice|\bfined?\b"),
        (Outcome.REPRIMAND, r"\breprimand\b"),
        (Outcome.ORDER, r"enforcement notice"),
        (Outcome.DISMISSAL, r"no further action"),
    ),
    reasons=r"^\s*Legal framework\s*$",
    ruling=None,
    decision_date_cues=(r"Dated (?:this |the )?{date}",),
    publication_date_cues=(),
    case_patterns=(),
    party_patterns=(r"\bTo: (?P<name>[^:]{3,80}?) Of:",),
    roles={"controller": PartyRole.CONTROLLER, "processor": PartyRole.PROCESSOR},
    other_laws=(
        ("PECR", r"\bPECR\b|Privacy and Electronic Communications \(EC Directive\) Regulations 2003"),
        ("the DPA 1998", r"Data Protection Act 1998"),
        ("the DPA 2018", r"Data Protection Act 2018"),
    ),
)
