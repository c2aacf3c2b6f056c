"""Parties of a decision, table-driven: the role a source writes around a name, and when two names
certainly name different organisations (so that no reconciliation rule joins their records)."""

from __future__ import annotations

import pytest

from parsers.normalise.organisations import addressees_agree, addressees_conflict, organisation, organisations
from schema.enforcement import PartyRole

ROLES = [
    # (as written, name, role)
    ("Complainant: Max Mustermann", "Max Mustermann", PartyRole.COMPLAINANT),
    ("Respondent: Bundesamt für Sicherheit im Gesundheitswesen (BASG)",
     "Bundesamt für Sicherheit im Gesundheitswesen (BASG)", PartyRole.RESPONDENT),
    ("Signore XX (the data subject)", "Signore XX", PartyRole.DATA_SUBJECT),
    ("Areti S.p.A. (the controller)", "Areti", PartyRole.CONTROLLER),
    ("an unnamed citizen (data processor)", "an unnamed citizen", PartyRole.PROCESSOR),
    ("Autoriteit persoonsgegevens (DPA)", "Autoriteit persoonsgegevens", PartyRole.AUTHORITY),
    ("noyb", "noyb", PartyRole.COMPLAINANT),
    ("an unnamed data subject", "an unnamed data subject", PartyRole.DATA_SUBJECT),
    ("unknown data subject (complainant before the DSB)", "unknown data subject", PartyRole.COMPLAINANT),
    ("Österreichische Post AG (defendant)", "Österreichische Post", PartyRole.RESPONDENT),
    ("German Whatsapp user (represented by noyb European Centre for Digital Rights)", "German Whatsapp user",
     PartyRole.COMPLAINANT),
    ("5 anonymous complainants", "5 anonymous complainants", PartyRole.COMPLAINANT),
    ("Belgian DPA", "Belgian DPA", PartyRole.AUTHORITY),
    ("DSB (Austria)", "DSB (Austria)", PartyRole.AUTHORITY),
    ("Tax Authority", "Tax Authority", None),
    ("Vodafone España, S.A.U.", "Vodafone España", None),
    ("Telecoms provider (1&1 Telecom GmbH)", "Telecoms provider (1&1 Telecom GmbH)", None),
]


@pytest.mark.parametrize("text, name, role", ROLES)
def test_roles(text: str, name: str, role: PartyRole | None) -> None:
    party = organisation(text)
    assert (party.name, party.role) == (name, role)


SAME = [
    # Pairs of the offline corpus's trackers that report one decision under two spellings.
    ("UWV (Dutch employee insurance service provider)", "UWV - Insurance provider"),
    ("Istituto Nazionale Previdenza Sociale (INPS)", "INPS"),
    ("Istituto Nazionale Assicurazione Infortuni sul Lavoro", "INAIL"),
    ("Nationale Maatschappij der Belgische Spoorwegen", "NMBS"),
    ("RTI - Reti Televisive Italiane", "TV broadcast services company (R.T.I.)"),
    ("Clearview Al", "Clearview A.I."),
    ("Telecoms provider (1&1 Telecom GmbH)", "1&1 Telecom GmbH"),
    ("Knuddels.de", "Knuddels"),
    ("Job Team", "JobTeam A/S DKK"),
    ("Transport Workers' Union of Aragon", "Sindicato Aragonés de Transporte"),
    ("Meta Platforms Ireland", "Meta Platforms"),
    # No telling: a description, a name of describing words only, another script.
    ("Debt collection company", "EOS Matrix"),
    ("Employer", "Company"),
    ("Medical centers", "Medical service providers"),
    ("Piraeus Leasing S.M.S.A.", "ΠΕΙΡΑΙΩΣ ΧΡΗΜΑΤΟΔΟΤΙΚΕΣ ΜΙΣΘΩΣΕΙΣ"),
    ("Innovasjon Norge", "Innovation Norway"),  # one name in two languages
    ("Municipal alderman", "City councilor"),  # one office
    ("Mayor", "Mayor"),
]
DIFFERENT = [
    ("Azienda sanitaria locale di Bari", "H&M"),
    ('University "La Sapienza" Rome', "Azienda Ospedaliero Universitaria Integrata di Verona (Hospital)"),
    ("Caixabank", "BANKIA"),
    ("Dante International", "Enel Energie"),
    ("Google Ireland", "Facebook Ireland"),
    ("TELEFONICA DE ESPAÑA", "Xfera Moviles"),
    ("L.E.", "T.K."),  # initials, not the article "le"
    ("Mayor", "City councilor"),  # two offices, two people
    ("Telefonica", "Telenor"),
]

AGREE = [
    ("UWV (Dutch employee insurance service provider)", "Uitvoeringsinstituut Werknemersverzekeringen (UWV)"),
    ("T.K.", "T.K. EOOD"),
    ("Marriott International", "Marriott International, Inc"),
]
NO_AGREEMENT = [
    ("Mayor", "Mayor"),  # which mayor?
    ("British Airways", "Cathay Pacific Airways"),
    ("Innovasjon Norge", "Innovation Norway"),  # not conflicting, yet not the same words
]


@pytest.mark.parametrize("left, right", SAME)
def test_names_of_one_organisation_do_not_conflict(left: str, right: str) -> None:
    assert not addressees_conflict([left], [right]) and not addressees_conflict([right], [left])


@pytest.mark.parametrize("left, right", DIFFERENT)
def test_names_of_two_organisations_conflict(left: str, right: str) -> None:
    assert addressees_conflict([left], [right]) and addressees_conflict([right], [left])


@pytest.mark.parametrize("left, right", AGREE)
def test_names_of_one_organisation_agree(left: str, right: str) -> None:
    assert addressees_agree([left], [right]) and addressees_agree([right], [left])


@pytest.mark.parametrize("left, right", NO_AGREEMENT)
def test_names_that_do_not_show_one_organisation_do_not_agree(left: str, right: str) -> None:
    assert not addressees_agree([left], [right]) and not addressees_agree([right], [left])


def test_one_name_in_common_is_enough_and_no_name_is_no_conflict() -> None:
    assert not addressees_conflict(["Fortum Marketing and Sales Polska", "PIKA"], ["PIKA"])
    assert not addressees_conflict([], ["Caixabank"])


LISTS = [
    ("LGS Handling Ltd, Louis Travel Ltd, and Louis Aviation", ["LGS Handling", "Louis Travel", "Louis Aviation"]),
    ("Fortum Marketing and Sales Polska S.A.; PIKA Sp. z o.o.", ["Fortum Marketing and Sales Polska", "PIKA"]),
    ("Acme GmbH and Beta AG", ["Acme", "Beta"]),
    ("Marks and Spencer", ["Marks and Spencer"]),
    ("Ernst & Young", ["Ernst & Young"]),
    ("Vodafone España, S.A.U.", ["Vodafone España"]),
    ("Comune di Roma, Ufficio Tributi", ["Comune di Roma, Ufficio Tributi"]),
]


@pytest.mark.parametrize("cell, names", LISTS)
def test_a_list_of_organisations_is_split_where_its_legal_forms_say_so(cell: str, names: list[str]) -> None:
    assert [party.name for party in organisations(cell)] == names
