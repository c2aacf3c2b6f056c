"""The per-language grammars of decisions: one table per kind of value, one row per example, each
written as the real decisions write it."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pycld2
import pytest

from parsers import decision_lang
from parsers.decision_lang import Grammar, detect, fold, grammar, languages
from schema.enforcement import Outcome, PartyRole, Precision
from tests import test_decision_grammars as eea  # the tables of the other EEA languages

DAY, MONTH = Precision.DAY, Precision.MONTH

# (lang, as written, date, precision)
DATES = [
    ("de", "25.02.2019", "2019-02-25", DAY),
    ("de", "21.6.2018", "2018-06-21", DAY),
    ("de", "22. Jänner 2018", "2018-01-22", DAY),
    ("de", "1.  August 2019", "2019-08-01", DAY),
    ("es", "4 de agosto de 2020", "2020-08-04", DAY),
    ("es", "16/07/2020", "2020-07-16", DAY),
    ("es", "28-07-2020", "2020-07-28", DAY),
    ("nl", "16 juli 2019", "2019-07-16", DAY),
    ("nl", "maart 2019", "2019-03-01", MONTH),
    ("sv", "15 juni 2020", "2020-06-15", DAY),
    ("sv", "2020-06-22", "2020-06-22", DAY),
    ("fr", "3 avril 2020", "2020-04-03", DAY),
    ("fr", "1er août 2018", "2018-08-01", DAY),
    ("fr", "10 septembre\n2020", "2020-09-10", DAY),
    ("en", "12 August 2020", "2020-08-12", DAY),
    ("en", "4th day of August 2020", "2020-08-04", DAY),
    ("en", "August 12, 2020", "2020-08-12", DAY),
    ("bg", "25.06.2019 г.", "2019-06-25", DAY),
    ("bg", "22.03. 2019 г.", "2019-03-22", DAY),
    ("bg", "27 април 2016 г.", "2016-04-27", DAY),
    ("hu", "2019. január 22.", "2019-01-22", DAY),
    ("hu", "2019. január  25.", "2019-01-25", DAY),
    ("hu", "2019. január", "2019-01-01", MONTH),  # "Budapest, 2019. január „ „": the day left blank
    ("sk", "17.04.2020", "2020-04-17", DAY),
    ("sk", "27. marca 2020", "2020-03-27", DAY),
    ("it", "25 maggio 2018", "2018-05-25", DAY),
    ("it", "12 novembre 2018", "2018-11-12", DAY),
]

NOT_DATES = [("de", "31.02.2019"), ("es", "4 de agosto"), ("en", "Augustus 2020"), ("sv", "15 juli"),
             ("hu", "2019. január „ „"), ("sk", "28. januára"), ("it", "25 ottobre scorso")]

# (lang, as written, amount in minor units, currency)
AMOUNTS = [
    ("de", "EUR 2.200,--", 220_000, "EUR"),
    ("de", "300 Euro", 30_000, "EUR"),
    ("de", "€ 10.000,00", 1_000_000, "EUR"),
    ("es", "60.000 €", 6_000_000, "EUR"),
    ("es", "55.000 euros", 5_500_000, "EUR"),
    ("es", "60.000,00 €", 6_000_000, "EUR"),
    ("nl", "725.000 euro", 72_500_000, "EUR"),
    ("nl", "€ 725.000,--", 72_500_000, "EUR"),
    ("sv", "SEK 200 000", 20_000_000, "SEK"),
    ("sv", "20 000 kronor", 2_000_000, "SEK"),
    ("fr", "5 000 euros", 500_000, "EUR"),
    ("en", "£500,000", 50_000_000, "GBP"),
    ("en", "£1,350,000.50", 135_000_050, "GBP"),
    ("bg", "1 500 лв.", 150_000, "BGN"),
    ("it", "20.000.000 euro", 2_000_000_000, "EUR"),
]

NOT_AMOUNTS = [("de", "Euro falls"), ("en", "500,000"), ("sv", "20 000"), ("es", "60.00.000 €"),
               ("it", "50 mila euro"), ("sk", "20 miliónov eur")]

# (lang, operative text, outcome)
OUTCOMES = [
    ("de", "Straferkenntnis Sie haben dadurch folgende Rechtsvorschrift(en) verletzt", Outcome.FINE),
    ("de", "Es wird jedoch von der Verhängung einer Strafe abgesehen und eine Ermahnung erteilt.", Outcome.REPRIMAND),
    ("de", "Der Beschwerdegegnerin wird aufgetragen, Auskunft gemäß Art. 15 DSGVO zu erteilen.", Outcome.ORDER),
    ("de", fold("B E S C H E I D S PRUCH - Die Beschwerde wird a b g e w i e s e n ."), Outcome.DISMISSAL),
    ("es", "RESOLUCIÓN DE TERMINACIÓN DEL PROCEDIMIENTO POR PAGO VOLUNTARIO", Outcome.FINE),
    ("es", "PRIMERO: SANCIONAR a X, con multa administrativa de 55.000 €", Outcome.FINE),
    ("es", "PRIMERO: IMPONER a X una sanción de 5.000 €", Outcome.FINE),
    ("es", "PRIMERO: IMPONER una sanción de apercibimiento. SEGUNDO: REQUERIR a la entidad", Outcome.REPRIMAND),
    ("es", "RESOLUCIÓN DE ARCHIVO DE ACTUACIONES", Outcome.DISMISSAL),
    ("es", "PRIMERO: DESESTIMAR la reclamación", Outcome.DISMISSAL),
    ("nl", "De AP heeft het bedrijf een boete opgelegd van 725.000 euro", Outcome.FINE),
    ("nl", "De AP legt een last onder dwangsom op", Outcome.ORDER),
    ("nl", "Definitief rapport 2019 Onderzoeksrapport maart 2019", Outcome.FINDINGS),
    ("sv", "ska betala en administrativ sanktionsavgift på 20 000 kronor. Datainspektionen förelägger",
     Outcome.FINE),
    ("sv", "Datainspektionen förelägger föreningen att upphöra med kamerabevakningen", Outcome.ORDER),
    ("sv", "Datainspektionen vidtar därför inga ytterligare åtgärder. Ärendet avslutas.", Outcome.DISMISSAL),
    ("fr", "prononce à l'encontre de la société une amende administrative de 5 000 euros", Outcome.FINE),
    ("fr", "prononce un avertissement", Outcome.REPRIMAND),
    ("fr", "Avis de la Commission nationale pour la protection des données relatif au projet de loi", Outcome.OPINION),
    ("fr", "Décision N° 8/2020 portant approbation des critères d'agrément", Outcome.OTHER),
    ("en", "MONETARY PENALTY NOTICE", Outcome.FINE),
    ("en", "The Commissioner has decided to issue a reprimand", Outcome.REPRIMAND),
    ("en", "ENFORCEMENT NOTICE", Outcome.ORDER),
    ("bg", "РЕШЕНИЕ № ППН-01-554/2018 г. налага на сдружение БОЕЦ административно наказани е – имуществена "
           "санкция в размер на 1 500 лв.", Outcome.FINE),
    ("bg", "издава официално предупреждение на администратора пощенски оператор", Outcome.REPRIMAND),
    ("bg", "разпорежда на Б.Т.О. да съобрази операциите по обработване", Outcome.ORDER),
    ("bg", "Оставя без разглеждане жалба с рег. № ППН-01-737/31.08.2018 г.", Outcome.DISMISSAL),
    ("hu", "Ügyszám: NAIH/2019/1073 A Hatóság tájékoztatja Önt arról, hogy a bírság", Outcome.NOT_A_DECISION),
    ("hu", "HATÁROZAT A Hatóság tájékoztatja a Kötelezettet és utasítja", Outcome.ORDER),
    ("sk", "Stanovisko ÚOOÚ SR Published on Úrad na ochranu osobných údajov pokutu vo výške 20 000 eur",
     Outcome.NOT_A_DECISION),
    ("it", "Barriera UE contro il Far West dei dati - Intervista ad Antonello Soro … una sanzione amministrativa "
           "pecuniaria di 50 mila euro", Outcome.NOT_A_DECISION),
    ("it", "Ordinanza ingiunzione nei confronti di X", Outcome.FINE),
]

# (lang, text, amount imposed): the most telling cue wins over the others, wherever they are.
FINES = [
    ("de", "Geldstrafe von Euro falls diese uneinbringlich ist Zu 1): € 1.000,00 Zu 2): € 1.000,00 Gesamt: "
           "€ 2.200,00 70 Stunden", 220_000),
    ("de", "Geldstrafe von Euro Falls diese uneinbringlich ist, Ersatzfreiheitsstrafe von gemäß € 10.000,00 "
           "14 Tagen", 1_000_000),
    ("es", "se sancione con una multa de 60.000,00 € (SESENTA MIL euros). ha procedido al pago de la sanción en "
           "la cuantía de 48.000 euros", 4_800_000),
    ("en", "must not exceed £500,000. the Commissioner has decided that a penalty in the sum of £100,000 is "
           "reasonable", 10_000_000),
    ("sv", "ska betala en administrativ sanktionsavgift på 20 000 kronor.", 2_000_000),
]

# (lang, text, [(name, legal form, role)])
PARTIES = [
    ("de", "über die Datenschutzbeschwerde des Herrn Alfred A*** vom 22. Jänner 2018 gegen die N*** Bank AG "
           "(Beschwerdegegnerin) wegen Verletzung", [("N*** Bank", "AG", PartyRole.RESPONDENT)]),
    ("es", "La reclamación se dirige contra Vodafone España, S.A.U., con NIF A80907397 (en adelante, la reclamada).",
     [("Vodafone España", "S.A.U.", PartyRole.RESPONDENT)]),
    ("es", "PRIMERO: SANCIONAR a TELEFONICA DE ESPAÑA, S.A.U ., con NIF A82018474, por una infracción",
     [("TELEFONICA DE ESPAÑA", "S.A.U.", None)]),
    ("nl", "is de AP van oordeel dat de stichting HagaZiekenhuis verwerkingsverantwoordelijke is",
     [("stichting HagaZiekenhuis", None, PartyRole.CONTROLLER)]),
    ("sv", "Datainspektionen konstaterar att BRF Gårdsbjörken i Halmstad, org. nr 769620-6528 (BRF Gårdsbjörken)",
     [("BRF Gårdsbjörken", None, None)]),
    ("en", "MONETARY PENALTY NOTICE To: Koypo Laboratories Limited Of: United House, North Road",
     [("Koypo Laboratories", "Limited", None)]),
]

# (lang, a few words of a real decision)
SAMPLES = [
    ("de", "Die Datenschutzbehörde entscheidet über die Datenschutzbeschwerde wie folgt: die Beschwerde wird"),
    ("es", "la Directora de la Agencia Española de Protección de Datos RESUELVE: archivar las actuaciones"),
    ("nl", "De Autoriteit Persoonsgegevens heeft het bedrijf een boete opgelegd voor het afnemen van vingerafdrukken"),
    ("sv", "Datainspektionen konstaterar att föreningen har behandlat personuppgifter i strid med artikel 5 och"),
    ("fr", "Considérant que l'article 43 du RGPD prévoit que chaque autorité de contrôle doit approuver les"),
    ("en", "The Information Commissioner has decided to issue the company with a monetary penalty for the"),
    ("bg", "Комисията за защита на личните данни е сезирана с жалба, подадена от лицето, с твърдения за"),
    ("hu", "A Nemzeti Adatvédelmi és Információszabadság Hatósághoz érkezett levelében állásfoglalást kért"),
    ("sk", "Úrad vypracoval a zverejňuje zoznam spracovateľských operácií, ktoré podliehajú požiadavke na"),
    ("it", "Il Garante per la protezione dei dati personali ha approvato il regolamento che estende l'opt out"),
    ("mt", "Il-Kummissarju għall-Informazzjoni u l-Protezzjoni tad-Data ddeċieda li l-ilment huwa ġustifikat"),
]


def test_one_grammar_file_per_language():
    assert {"bg", "de", "en", "es", "fr", "hu", "it", "nl", "sk", "sv"} <= set(languages())
    for lang in languages():
        rules = grammar(lang)
        assert isinstance(rules, Grammar) and rules.lang == lang
        assert sorted(set(rules.months.values())) == list(range(1, 13))
        assert lang in {code for _, code in pycld2.LANGUAGES}, f"CLD2 cannot tell {lang!r}"
    with pytest.raises(ValueError, match="no decision grammar for language 'tr'"):
        grammar("tr")


def test_homoglyphs_become_the_languages_letters_one_for_one():
    text = "жалбa на KЗЛД, пap. 1 (Latin words stay: Facebook)"
    normalised = grammar("bg").normalised(text)
    assert normalised == "жалба на КЗЛД, пар. 1 (Latin words stay: Facebook)"
    assert len(normalised) == len(text)
    assert grammar("de").normalised(text) == text


def test_case_references_close_up_their_joints():
    assert grammar("bg").case_reference("РЕШЕНИЕ № ППН- 01- 737/2018 г. жалба № ППН-01-737/31.08.2018") \
        == "ППН-01-737/2018"
    assert grammar("hu").case_reference("Ügyszám: NAIH/2018/5233/4/V. Tisztelt") == "NAIH/2018/5233/4/V"


@pytest.mark.parametrize(("lang", "text", "iso", "precision"), DATES + eea.DATES)
def test_dates(lang, text, iso, precision):
    date = grammar(lang).parse_date(text)
    assert (date.value, date.precision, date.raw) == (dt.date.fromisoformat(iso), precision, fold(text))


@pytest.mark.parametrize(("lang", "text"), NOT_DATES + eea.NOT_DATES)
def test_not_dates(lang, text):
    with pytest.raises(ValueError):
        grammar(lang).parse_date(text)


@pytest.mark.parametrize(("lang", "text", "minor", "currency"), AMOUNTS + eea.AMOUNTS)
def test_amounts(lang, text, minor, currency):
    money = grammar(lang).parse_money(text, on=dt.date(2020, 6, 1))
    assert (money.amount_minor, money.currency, money.raw) == (minor, currency, text)
    assert (money.eur_minor == minor) == (currency == "EUR")


@pytest.mark.parametrize(("lang", "text"), NOT_AMOUNTS + eea.NOT_AMOUNTS)
def test_not_amounts(lang, text):
    with pytest.raises(ValueError):
        grammar(lang).parse_money(text)


def test_an_amount_in_another_currency_has_its_euro_value_as_of_its_date():
    money = grammar("sv").parse_money("20 000 kronor", on=dt.date(2020, 6, 15))
    assert (money.rate_date, money.eur_rate) == (dt.date(2020, 6, 15), Decimal("10.5393"))
    assert money.eur_minor == 189_766


@pytest.mark.parametrize(("lang", "text", "outcome"), OUTCOMES + eea.OUTCOMES)
def test_outcomes(lang, text, outcome):
    assert grammar(lang).outcome(fold(text)) is outcome


@pytest.mark.parametrize(("lang", "text", "minor"), FINES)
def test_the_fine_follows_the_most_telling_cue(lang, text, minor):
    assert grammar(lang).find_fine((text,)).amount_minor == minor


def test_the_operative_part_is_looked_at_before_the_whole_text():
    operative = "multa administrativa de 55.000 €"
    whole = "una multa de 60.000,00 € y multa administrativa de 1 €"
    assert grammar("es").find_fine((operative, whole)).amount_minor == 5_500_000
    assert grammar("es").find_fine(("nada", whole)).amount_minor == 100


@pytest.mark.parametrize(("lang", "text", "expected"), PARTIES)
def test_parties(lang, text, expected):
    parties = grammar(lang).find_parties(text)
    assert [(p.name, p.legal_form, p.role) for p in parties] == expected


@pytest.mark.parametrize(("lang", "text"), SAMPLES + eea.SAMPLES)
def test_language_of_a_text(lang, text):
    assert detect(text) == lang


def test_fold_closes_up_letter_spaced_words_only():
    assert fold("B E S C H E I D \n S PRUCH") == "BESCHEID S PRUCH"
    assert fold("Art. 5 Abs. 1 lit. a und c") == "Art. 5 Abs. 1 lit. a und c"
    assert fold("a b c") == "a b c"


def test_operative_part_is_the_head_and_the_ruling():
    text = "RESOLUCIÓN DE ARCHIVO\nANTECEDENTES\nPRIMERO: multa de 1 €\nla Directora RESUELVE:\nARCHIVAR\nHECHOS\nx"
    assert grammar("es").operative_part(text) == ("RESOLUCIÓN DE ARCHIVO", "ARCHIVAR")
    assert grammar("de").operative_part("Straferkenntnis\nB E G R Ü N D U N G\nGründe") == ("Straferkenntnis", "")


def test_other_laws_in_order_of_mention():
    text = "section 55A of the Data Protection Act 1998 … regulation 22 of PECR … the Data Protection Act 2018"
    assert grammar("en").laws_named(text) == ["the DPA 1998", "PECR", "the DPA 2018"]


@pytest.mark.parametrize(("change", "message"), [
    (lambda data: {**data, "stopwords": ["der"]}, r"xx\.json: unknown fields \['stopwords'\]"),
    (lambda data: {k: v for k, v in data.items() if k != "roles"}, r"xx\.json: KeyError: 'roles'"),
    (lambda data: {**data, "lang": "de"}, r"xx\.json is the decision grammar of 'de', not of 'xx'"),
    (lambda data: {**data, "outcomes": {"sanction": "x"}}, r"xx\.json: ValueError: 'sanction' is not a valid Outcome"),
])
def test_a_grammar_file_that_is_not_one_is_refused_by_name(tmp_path, monkeypatch, change, message):
    german = json.loads((decision_lang._GRAMMARS / "de.json").read_text(encoding="utf-8"))
    (tmp_path / "xx.json").write_text(json.dumps(change({**german, "lang": "xx"})), encoding="utf-8")
    monkeypatch.setattr(decision_lang, "_GRAMMARS", tmp_path)
    grammar.cache_clear()
    try:
        with pytest.raises(ValueError, match=message):
            grammar("xx")
    finally:
        grammar.cache_clear()
