"""Events of a case as trackers' summaries state them, table-driven: sentences of the offline corpus
(CMS, PrivacyAffairs, GDPRhub) → the event, its date, court and amounts."""

from __future__ import annotations

import datetime as dt

import pytest

from parsers.case_events import stated_events
from schema.enforcement import EventKind

CASES = [
    # (summary, kind, date, court, amount (minor, currency), original)
    ("-- Update: On November 11th, 2020, after an appeal against the fine, the Bonn District Court decided that "
     "although the fine is justified in principle, it is unreasonably high. The chamber has therefore reduced the "
     "fine from originally EUR 9,55 million to EUR 900,000.",
     EventKind.REDUCTION, dt.date(2020, 11, 11), "the Bonn District Court", (900_000_00, "EUR"), (9_550_000_00, "EUR")),
    ("In July 2019, the ICO issued a notice of its intention to fine British Airways £183.39M for GDPR "
     "infringements.", EventKind.NOTICE_OF_INTENT, dt.date(2019, 7, 1), None, (183_390_000_00, "GBP"), None),
    ("The ICO notified the British Airways of its intention to issue a fine worth 183.39 million pounds because of "
     "an alleged infringement.", EventKind.NOTICE_OF_INTENT, None, None, (183_390_000_00, "GBP"), None),
    ("Update: On 2020/10/30, the ICO announced its final decision to impose a fine of £ 18.4 million "
     "(approximately EUR 20.4 million) on Marriott International Inc.",
     EventKind.DECISION, dt.date(2020, 10, 30), None, (18_400_000_00, "GBP"), None),
    ("Update: The fine was reduced from EUR 460,000 to EUR 350,000 following a court ruling in 2021.",
     EventKind.REDUCTION, dt.date(2021, 1, 1), None, (350_000_00, "EUR"), (460_000_00, "EUR")),
    ("Update: The original fine of EUR 50,000 was reduced to EUR 25,000 by the Austrian Federal Administrative "
     "Court.", EventKind.REDUCTION, None, "the Austrian Federal Administrative Court", (25_000_00, "EUR"),
     (50_000_00, "EUR")),
    ("Update: On February 12, 2021 the Aarhus District Court decided to impose a fine against IDdesign in the "
     "amount of EUR 13,450.", EventKind.JUDGMENT, dt.date(2021, 2, 12), "the Aarhus District Court",
     (13_450_00, "EUR"), None),
    ("In the meantime, the decision of the data protection authority has been annulled by a court: link",
     EventKind.ANNULMENT, None, "court", None, None),
    ("The Higher Regional Court of Celle overturned the decision of the lower court.",
     EventKind.ANNULMENT, None, "The Higher Regional Court of Celle", None, None),
    ("Please note: According to our information this fine has been withdrawn in the meantime.",
     EventKind.ANNULMENT, None, None, None, None),
    ("Following the investigation, the DPC submitted a draft decision under Art. 60 GDPR to other European "
     "supervisory authorities concerned.", EventKind.DRAFT_DECISION, None, None, None, None),
    ("The EDPB adopted an urgent binding decision under Article 66 GDPR.",
     EventKind.BINDING_DECISION, None, None, None, None),
    ("While the trial hasn’t ended yet, the ICO intends to fine the company.",
     EventKind.NOTICE_OF_INTENT, None, None, None, None),
    ("Since the company agreed to both payment and admission of responsibility the original fine of EUR 3,000 was "
     "reduced to EUR 1,800.", EventKind.REDUCTION, None, None, (1_800_00, "EUR"), (3_000_00, "EUR")),
]


@pytest.mark.parametrize("summary, kind, date, court, amount, original", CASES, ids=[c[1].value + ":" + c[0][:40] for c in CASES])
def test_stated_events(summary: str, kind: EventKind, date: dt.date | None, court: str | None,
                       amount: tuple[int, str] | None, original: tuple[int, str] | None) -> None:
    (event,) = stated_events(summary)
    assert event.kind is kind and event.court == court
    assert (event.event_date.value if event.event_date else None) == date
    assert ((event.amount.amount_minor, event.amount.currency) if event.amount else None) == amount
    assert ((event.original.amount_minor, event.original.currency) if event.original else None) == original
    assert summary[event.start:event.end] == event.text


NONE = [
    "The fine has meanwhile been reduced to EUR 120.000, see link",  # no court: the authority's, or unknown
    "The court decided the complaint was unfounded.",
    "The DPA imposed a fine of EUR 5,000 for unlawful video surveillance.",
    "",
]


@pytest.mark.parametrize("summary", NONE)
def test_no_event_is_read_where_none_is_stated(summary: str) -> None:
    assert stated_events(summary) == []
