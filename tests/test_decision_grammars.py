"""The decision grammars of the other EEA languages: every grammar file is well formed, and each of
these languages' grammars reads what its authority's decisions write — one table per kind of value,
one row per example. Case references are the authorities' own, as the GDPRhub export in the corpus
lists them; the outcome words and the grouping of digits are checked on the GDPR's official text in
each EU language (Articles 58(2) and 83(4)). The dates, amounts, outcomes and language samples run
through the same tests as the other languages' rows, in tests/test_decision_lang.py."""

from __future__ import annotations

import csv
import datetime as dt
import json
from functools import cache
from pathlib import Path

import pytest

from parsers.decision_lang import detect, fold, grammar, languages
from parsers.formex import parse_formex_act
from schema.enforcement import Outcome, Precision

DAY, MONTH = Precision.DAY, Precision.MONTH
GRAMMARS = Path(__file__).resolve().parent.parent / "parsers" / "grammars" / "decisions"
LANGS = ["cs", "da", "el", "et", "fi", "ga", "hr", "is", "lt", "lv", "mt", "no", "pl", "pt", "ro", "sl"]

# (lang, as written, date, precision)
DATES = [
    ("cs", "12. ledna 2020", "2020-01-12", DAY),
    ("cs", "12. 1. 2020", "2020-01-12", DAY),
    ("cs", "červenci 2019", "2019-07-01", MONTH),
    ("da", "12. januar 2020", "2020-01-12", DAY),
    ("da", "12-01-2021", "2021-01-12", DAY),
    ("el", "27ης Απριλίου 2016", "2016-04-27", DAY),
    ("el", "12 ΜΑΪΟΥ 2020", "2020-05-12", DAY),
    ("el", "12-10-2023", "2023-10-12", DAY),
    ("et", "27. aprill 2016", "2016-04-27", DAY),
    ("et", "8. aprilli 2016. aasta", "2016-04-08", DAY),
    ("et", "23.03.2021", "2021-03-23", DAY),
    ("fi", "12. tammikuuta 2020", "2020-01-12", DAY),
    ("fi", "24 päivänä lokakuuta 1995", "1995-10-24", DAY),
    ("fi", "12.1.2020", "2020-01-12", DAY),
    ("fi", "toukokuussa 2018", "2018-05-01", MONTH),
    ("ga", "27 Aibreán 2016", "2016-04-27", DAY),
    ("ga", "24 Deireadh Fómhair 1995", "1995-10-24", DAY),
    ("ga", "mí na Samhna 2020", "2020-11-01", MONTH),
    ("hr", "13. ožujka 2020.", "2020-03-13", DAY),
    ("hr", "24. listopada 1995.", "1995-10-24", DAY),
    ("hr", "12.1.2020.", "2020-01-12", DAY),
    ("is", "26. maí 2020", "2020-05-26", DAY),
    ("is", "12.1.2020", "2020-01-12", DAY),
    ("lt", "2016 m. balandžio 27 d.", "2016-04-27", DAY),
    ("lt", "2020-02-12", "2020-02-12", DAY),
    ("lt", "2020 m. sausio mėn.", "2020-01-01", MONTH),
    ("lv", "2020. gada 12. janvārī", "2020-01-12", DAY),
    ("lv", "1995. gada 24. oktobra", "1995-10-24", DAY),
    ("lv", "12.01.2020.", "2020-01-12", DAY),
    ("mt", "27 ta' April 2016", "2016-04-27", DAY),
    ("mt", "24 ta’ Ottubru 1995", "1995-10-24", DAY),
    ("no", "4. januar 2021", "2021-01-04", DAY),
    ("no", "04.01.2021", "2021-01-04", DAY),
    ("pl", "10 września 2019 r.", "2019-09-10", DAY),
    ("pl", "12.01.2020 r.", "2020-01-12", DAY),
    ("pl", "listopadzie 2020", "2020-11-01", MONTH),
    ("pt", "12 de janeiro de 2020", "2020-01-12", DAY),
    ("pt", "1.º de março de 2020", "2020-03-01", DAY),
    ("pt", "16/07/2020", "2020-07-16", DAY),
    ("ro", "12 ianuarie 2020", "2020-01-12", DAY),
    ("ro", "23.08.2023", "2023-08-23", DAY),
    ("sl", "12. januarja 2020", "2020-01-12", DAY),
    ("sl", "12. 5. 2020", "2020-05-12", DAY),
]

NOT_DATES = [("cs", "31. 2. 2020"), ("lt", "sausio 12 d."), ("lv", "12. janvārī"), ("pl", "stycznia 2020 12"),
             ("hr", "13. ožujak")]

# (lang, as written, amount in minor units, currency)
AMOUNTS = [
    ("cs", "250 000 Kč", 25_000_000, "CZK"),
    ("cs", "1.000 eur", 100_000, "EUR"),
    ("da", "1.200.000 kr.", 120_000_000, "DKK"),
    ("el", "20.000,00 €", 2_000_000, "EUR"),
    ("el", "5.000 ευρώ", 500_000, "EUR"),
    ("et", "1000 eurot", 100_000, "EUR"),
    ("fi", "16 000 euroa", 1_600_000, "EUR"),
    ("fi", "100 000 euron", 10_000_000, "EUR"),
    ("ga", "€750,000", 75_000_000, "EUR"),
    ("hr", "2.265.000,00 kuna", 226_500_000, "HRK"),
    ("hr", "5.470.000,00 eura", 547_000_000, "EUR"),
    ("is", "3.000.000 króna", 3_000_000, "ISK"),
    ("lt", "15 000 Eur", 1_500_000, "EUR"),
    ("lv", "15 000 euro", 1_500_000, "EUR"),
    ("mt", "€65,000", 6_500_000, "EUR"),
    ("no", "NOK 65 000 000", 6_500_000_000, "NOK"),
    ("no", "200 000 kroner", 20_000_000, "NOK"),
    ("pl", "1 968 524 zł", 196_852_400, "PLN"),
    ("pl", "2 830 410 PLN", 283_041_000, "PLN"),
    ("pt", "€ 400.000,00", 40_000_000, "EUR"),
    ("pt", "2 000 euros", 200_000, "EUR"),
    ("ro", "9.813,60 lei", 981_360, "RON"),
    ("ro", "3000 de euro", 300_000, "EUR"),
    ("sl", "4.000,00 EUR", 400_000, "EUR"),
]

# (lang, Article 83(4) GDPR's ceiling as the official text in the language writes it)
GDPR_CEILINGS = [("da", "10 000 000 EUR"), ("el", "10 000 000 EUR"), ("et", "10 000 000 eurot"),
                 ("fi", "10 000 000 euroa"), ("ga", "10 000 000 EUR"), ("hr", "10 000 000 EUR"),
                 ("lv", "EUR 10 000 000"), ("mt", "EUR 10 000 000"), ("ro", "10 000 000 EUR"), ("sl", "10 000 000 EUR")]

NOT_AMOUNTS = [("pl", "1 968 524"), ("cs", "250 000 Kčs"), ("is", "3.000.000,50 kr."), ("da", "1,2 mio. kr.")]

# (lang, operative text, outcome)
OUTCOMES = [
    ("cs", "Úřad rozhodl tak, že se společnosti ukládá pokuta ve výši 250 000 Kč.", Outcome.FINE),
    ("cs", "Správní řízení se zastavuje.", Outcome.DISMISSAL),
    ("cs", "Úřad uložil společnosti pokutu za přestupek", Outcome.FINE),
    ("da", "Datatilsynet indstiller virksomheden til en bøde på 1.200.000 kr.", Outcome.FINE),
    ("da", "Datatilsynet finder grundlag for at udtale alvorlig kritik af, at kommunen", Outcome.REPRIMAND),
    ("da", "Datatilsynet finder ikke grundlag for at udtale kritik af kommunens behandling", Outcome.DISMISSAL),
    ("da", "Datatilsynet meddeler samtidig påbud om at slette optagelserne", Outcome.ORDER),
    ("el", "ΕΠΙΒΑΛΛΕΙ στην εταιρεία διοικητικό χρηματικό πρόστιμο ύψους είκοσι χιλιάδων ευρώ", Outcome.FINE),
    ("el", "Απευθύνει επίπληξη στον υπεύθυνο επεξεργασίας", Outcome.REPRIMAND),
    ("el", "Απορρίπτει την καταγγελία ως αβάσιμη", Outcome.DISMISSAL),
    ("et", "Andmekaitse Inspektsioon teeb vastutavale töötlejale ettekirjutuse", Outcome.ORDER),
    ("et", "määrata rahatrahv 1000 eurot", Outcome.FINE),
    ("fi", "Seuraamuskollegio määrää rekisterinpitäjälle 100 000 euron seuraamusmaksun", Outcome.FINE),
    ("fi", "Tietosuojavaltuutettu antaa rekisterinpitäjälle huomautuksen", Outcome.REPRIMAND),
    ("ga", "cinneadh fíneáil riaracháin a ghearradh ar an rialaitheoir", Outcome.FINE),
    ("ga", "iomardú a eisiúint don rialaitheoir", Outcome.REPRIMAND),
    ("ga", "faoi réir fíneálacha riaracháin", Outcome.FINE),
    ("hr", "Voditelju obrade izriče se upravna novčana kazna u iznosu od 2.265.000,00 kuna", Outcome.FINE),
    ("hr", "Zahtjev se odbija kao neosnovan.", Outcome.DISMISSAL),
    ("is", "Persónuvernd leggur fyrir félagið að eyða upptökunum", Outcome.ORDER),
    ("is", "Lögð er stjórnvaldssekt á félagið að fjárhæð 3.000.000 króna", Outcome.FINE),
    ("lt", "nusprendė skirti UAB 15 000 Eur baudą", Outcome.FINE),
    ("lt", "pareikšti papeikimą duomenų valdytojui", Outcome.REPRIMAND),
    ("lt", "perduoti medžiagą ikiteisminiam tyrimui dėl baudžiamosios atsakomybės", Outcome.OTHER),
    ("lv", "piemērot SIA naudas sodu 15 000 euro apmērā", Outcome.FINE),
    ("lv", "izteikt rājienu pārzinim", Outcome.REPRIMAND),
    ("mt", "il-Kummissarju qed jimponi multa amministrattiva ta' €65,000", Outcome.FINE),
    ("mt", "il-Kummissarju tordna lill-kontrollur", Outcome.ORDER),
    ("no", "Datatilsynet ilegger Grindr LLC et overtredelsesgebyr på NOK 65 000 000", Outcome.FINE),
    ("no", "Datatilsynet gir kommunen en irettesettelse", Outcome.REPRIMAND),
    ("no", "Datatilsynet gir virksomheten pålegg om å slette opplysningene", Outcome.ORDER),
    ("pl", "nakłada na Spółkę administracyjną karę pieniężną w wysokości 1 968 524 zł", Outcome.FINE),
    ("pl", "udziela Spółce upomnienia", Outcome.REPRIMAND),
    ("pl", "umarza postępowanie", Outcome.DISMISSAL),
    ("pt", "deliberou aplicar à arguida uma coima no montante de € 400.000,00", Outcome.FINE),
    ("pt", "determina o arquivamento do processo", Outcome.DISMISSAL),
    ("pt", "A CNPD emite parecer desfavorável", Outcome.OPINION),
    ("ro", "a sancționat operatorul cu amendă contravențională în cuantum de 9.813,60 lei", Outcome.FINE),
    ("ro", "a sancționat operatorul cu avertisment", Outcome.REPRIMAND),
    ("sl", "se mu izreče globa v višini 4.000,00 EUR", Outcome.FINE),
    ("sl", "Pritožba se zavrne kot neutemeljena.", Outcome.DISMISSAL),
]

# (lang, text, amount imposed, currency)
FINES = [
    ("cs", "Za přestupek se podle § 62 ukládá pokuta ve výši 250 000 Kč, splatná do 30 dnů", 25_000_000, "CZK"),
    ("da", "Datatilsynet har indstillet virksomheden til en bøde på 1.200.000 kr. for ikke at have slettet",
     120_000_000, "DKK"),
    ("el", "ΕΠΙΒΑΛΛΕΙ στην εταιρεία διοικητικό χρηματικό πρόστιμο ύψους είκοσι χιλιάδων ευρώ (20.000,00 €)",
     2_000_000, "EUR"),
    ("et", "Andmekaitse Inspektsioon otsustas määrata rahatrahv 1000 eurot", 100_000, "EUR"),
    ("fi", "Seuraamuskollegio määrää Posti Oy:lle 100 000 euron hallinnollisen seuraamusmaksun.", 10_000_000, "EUR"),
    ("ga", "fíneáil riaracháin €750,000 a ghearradh", 75_000_000, "EUR"),
    ("hr", "voditelju obrade izriče se upravna novčana kazna u iznosu od 2.265.000,00 kuna", 226_500_000, "HRK"),
    ("is", "leggur Persónuvernd á félagið stjórnvaldssekt að fjárhæð 3.000.000 króna", 3_000_000, "ISK"),
    ("lt", "nusprendė skirti UAB „Prime Leasing“ 15 000 Eur baudą", 1_500_000, "EUR"),
    ("lv", "piemērot SIA „DEPO DIY” naudas sodu 15 000 euro apmērā", 1_500_000, "EUR"),
    ("mt", "qed jimponi multa amministrattiva ta' €65,000 fuq il-kontrollur", 6_500_000, "EUR"),
    ("no", "Datatilsynet ilegger Grindr LLC et overtredelsesgebyr på NOK 65 000 000 til statskassen", 6_500_000_000,
     "NOK"),
    ("pl", "nakłada na Spółkę administracyjną karę pieniężną w wysokości 1 968 524 zł (słownie: jeden milion)",
     196_852_400, "PLN"),
    ("pt", "aplicar à arguida uma coima no montante de € 400.000,00 pela violação", 40_000_000, "EUR"),
    ("ro", "cu amendă contravențională în cuantum de 9.813,60 lei (echivalentul a 2000 EURO)", 981_360, "RON"),
    ("sl", "se mu za prekršek izreče globa v višini 4.000,00 EUR", 400_000, "EUR"),
]

# (lang, text, case reference): numbers the GDPRhub export lists, but for the KLASA and PAR shapes (it has none).
CASE_REFS = [
    ("cs", "Č. j. UOOU-05284/19-47", "UOOU-05284/19-47"),
    ("cs", "UOOU-00196/20", "UOOU-00196/20"),
    ("da", "J.nr. 2020-431-0061", "2020-431-0061"),
    ("el", "ΑΠΟΦΑΣΗ 35/2023", "35/2023"),
    ("el", "Αρ. Φακ.: 11.17.001.010.007", "11.17.001.010.007"),
    ("et", "Meie 23.03.2021 nr 2.1.-1/21/129", "2.1.-1/21/129"),
    ("fi", "Dnro 1011/161/22", "1011/161/22"),
    ("fi", "Dnro TSV/35/2022", "TSV/35/2022"),
    ("ga", "Tagairt: IN-18-5-5", "IN-18-5-5"),
    ("is", "í máli nr. 2020010601", "2020010601"),
    ("mt", "Ref: CDP/COMP/344/2022", "CDP/COMP/344/2022"),
    ("no", "Vår referanse: 20/02136-18 Dato: 04.01.2021", "20/02136-18"),
    ("pl", "Nr DKN.5112.1.2020", "DKN.5112.1.2020"),
    ("pl", "ZSOŚS.421.25.2019", "ZSOŚS.421.25.2019"),
    ("pt", "DELIBERAÇÃO/2019/222", "DELIBERAÇÃO/2019/222"),
    ("pt", "PAR/2019/41", "PAR/2019/41"),
    ("sl", "Številka: 07121-1 / 2020/1159", "07121-1/2020/1159"),
    ("hr", "KLASA: UP/I-041-02/19-01/123", "UP/I-041-02/19-01/123"),
]

# (lang, text, decision date): the date the cue announces, not the others.
DECISION_DATES = [
    ("cs", "podáním ze dne 3. 5. 2019 … V Praze dne 12. ledna 2020", "2020-01-12"),
    ("da", "J.nr. 2020-431-0090 Dato: 12-01-2021", "2021-01-12"),
    ("el", "Αθήνα, 12-10-2023 Αριθ. Πρωτ.: 2322", "2023-10-12"),
    ("et", "Teie 01.03.2021 Meie 23.03.2021 nr 2.1.-1/21/129", "2021-03-23"),
    ("hr", "KLASA: UP/I-041-02/19-01/123 Zagreb, 13. ožujka 2020.", "2020-03-13"),
    ("is", "Hinn 26. maí 2020 kvað Persónuvernd upp svohljóðandi úrskurð", "2020-05-26"),
    ("lt", "SPRENDIMAS 2020-02-12 Nr. 3R-51", "2020-02-12"),
    ("lv", "Rīgā, 2022. gada 9. septembrī", "2022-09-09"),
    ("no", "Vår referanse: 20/02136-18 Dato: 04.01.2021", "2021-01-04"),
    ("pl", "Warszawa, dnia 10 września 2019 r.", "2019-09-10"),
    ("pt", "Lisboa, 28 de janeiro de 2020", "2020-01-28"),
    ("ro", "Decizia nr. 12 din 12.01.2020", "2020-01-12"),
    ("sl", "Številka: 07121-1/2020/1408 Datum: 12. 5. 2020", "2020-05-12"),
]

# (lang, text, head, ruling): the head ends at the reasons heading; the ruling follows its own heading.
OPERATIVE_PARTS = [
    ("cs", "ROZHODNUTÍ\nÚřad ukládá pokutu ve výši 250 000 Kč.\nO d ů v o d n ě n í\nÚřad zahájil řízení",
     "ROZHODNUTÍ Úřad ukládá pokutu ve výši 250 000 Kč.", ""),
    ("da", "Afgørelse\nDatatilsynet udtaler kritik.\n2. Sagsfremstilling\nKlager har",
     "Afgørelse Datatilsynet udtaler kritik.", ""),
    ("el", "ΑΠΟΦΑΣΗ 35/2023\nΚαταγγελία\nΣΚΕΦΤΗΚΕ ΣΥΜΦΩΝΑ ΜΕ ΤΟ ΝΟΜΟ\n1. Επειδή\nΓΙΑ ΤΟΥΣ ΛΟΓΟΥΣ ΑΥΤΟΥΣ\n"
           "Η Αρχή επιβάλλει πρόστιμο", "ΑΠΟΦΑΣΗ 35/2023 Καταγγελία", "Η Αρχή επιβάλλει πρόστιμο"),
    ("hr", "RJEŠENJE\nIzriče se novčana kazna.\nObrazloženje\nAgencija je", "RJEŠENJE Izriče se novčana kazna.", ""),
    ("is", "Úrskurður\nHinn 26. maí 2020\nMálavextir\nKvartað var\nÚrskurðarorð:\nVinnslan samrýmdist ekki lögum.",
     "Úrskurður Hinn 26. maí 2020", "Vinnslan samrýmdist ekki lögum."),
    ("no", "Vedtak om overtredelsesgebyr\nSakens bakgrunn\nDatatilsynet mottok", "Vedtak om overtredelsesgebyr", ""),
    ("pl", "DECYZJA\nnakłada karę pieniężną\nUzasadnienie\nPrezes UODO", "DECYZJA nakłada karę pieniężną", ""),
    ("sl", "ODLOČBA\nPritožba se zavrne.\nObrazložitev\nPooblaščenec je", "ODLOČBA Pritožba se zavrne.", ""),
]

# (lang, text, [(name, legal form)])
PARTIES = [
    ("cs", "vůči společnosti Alza.cz a.s., IČO: 27082440, se sídlem Jankovcova", [("Alza.cz", "a.s.")]),
    ("da", "Datatilsynet indstiller Arp-Hansen Hotel Group A/S til bøde", [("Arp-Hansen Hotel Group", "A/S")]),
    ("fi", "Seuraamuskollegio määrää Posti Oy:lle seuraamusmaksun", [("Posti", "Oy")]),
    ("hr", "izriče se društvu A1 Hrvatska d.o.o. upravna novčana kazna", [("A1 Hrvatska", "d.o.o.")]),
    ("no", "Telenor Norge AS har brutt", [("Telenor Norge", "AS")]),
    ("pl", "nakłada na Virgin Mobile Polska sp. z o.o. z siedzibą w Warszawie",
     [("Virgin Mobile Polska", "sp. z o.o.")]),
    ("pt", "a arguida Centro Hospitalar Barreiro Montijo, E.P.E., com sede",
     [("Centro Hospitalar Barreiro Montijo", "E.P.E.")]),
    ("ro", "a sancționat operatorul Vodafone România S.A. cu amendă", [("Vodafone România", "S.A.")]),
]

# (lang, text, the laws named, in order)
LAWS = [
    ("cs", "podle § 62 zákona č. 110/2019 Sb., o zpracování osobních údajů, a zákona č. 480/2004 Sb.",
     ["zákon č. 110/2019 Sb.", "zákon č. 480/2004 Sb."]),
    ("da", "jf. databeskyttelseslovens § 41, stk. 1", ["databeskyttelsesloven"]),
    ("el", "σύμφωνα με τον ν. 4624/2019 και τον ν. 3471/2006", ["ν. 4624/2019", "ν. 3471/2006"]),
    ("fi", "tietosuojalain 24 §:n ja lain yksityisyyden suojasta työelämässä",
     ["tietosuojalaki", "laki yksityisyyden suojasta työelämässä"]),
    ("ga", "faoin Acht um Chosaint Sonraí 2018", ["An tAcht um Chosaint Sonraí 2018"]),
    ("is", "samkvæmt lögum nr. 90/2018 um persónuvernd", ["lög nr. 90/2018"]),
    ("no", "etter personopplysningsloven § 26", ["personopplysningsloven"]),
    ("pl", "art. 101 ustawy z dnia 10 maja 2018 r. o ochronie danych osobowych",
     ["ustawa o ochronie danych osobowych"]),
    ("pt", "nos termos da Lei n.º 58/2019, de 8 de agosto", ["Lei n.º 58/2019"]),
    ("ro", "art. 12 din Legea nr. 190/2018 și O.G. nr. 2/2001", ["Legea nr. 190/2018", "O.G. nr. 2/2001"]),
    ("sl", "po 94. členu ZVOP-2 in ZP-1", ["ZVOP-2", "ZP-1"]),
    ("hr", "Zakona o provedbi Opće uredbe o zaštiti podataka (Narodne novine, broj 42/18)",
     ["Zakon o provedbi Opće uredbe o zaštiti podataka"]),
]

# (lang, a paragraph in the manner of its authority's decisions)
SAMPLES = [
    ("cs", "Úřad pro ochranu osobních údajů rozhodl tak, že se společnosti ukládá pokuta, neboť zpracovávala "
           "osobní údaje zákazníků bez právního základu."),
    ("da", "Datatilsynet finder grundlag for at udtale alvorlig kritik af, at kommunens behandling af "
           "personoplysninger ikke er sket i overensstemmelse med reglerne."),
    ("el", "Η Αρχή επιβάλλει στην εταιρεία πρόστιμο, διότι η επεξεργασία των δεδομένων προσωπικού χαρακτήρα των "
           "πελατών της έγινε χωρίς νόμιμη βάση."),
    ("et", "Andmekaitse Inspektsioon teeb ettekirjutuse, kuna vastutav töötleja on töödelnud isikuandmeid ilma "
           "õigusliku aluseta ja rikkunud andmesubjekti õigusi."),
    ("fi", "Tietosuojavaltuutettu antaa rekisterinpitäjälle huomautuksen, koska henkilötietojen käsittely on ollut "
           "tietosuoja-asetuksen säännösten vastaista."),
    ("ga", "Tá cinneadh déanta ag an gCoimisiún um Chosaint Sonraí fíneáil riaracháin a ghearradh ar an "
           "rialaitheoir toisc gur sáraíodh forálacha an Rialacháin."),
    ("hr", "Agencija za zaštitu osobnih podataka utvrdila je da voditelj obrade nije poduzeo odgovarajuće tehničke "
           "i organizacijske mjere zaštite osobnih podataka svojih korisnika."),
    ("is", "Persónuvernd telur að vinnsla persónuupplýsinga hjá félaginu hafi ekki samrýmst lögum og hefur ákveðið "
           "að leggja á það stjórnvaldssekt."),
    ("lt", "Valstybinė duomenų apsaugos inspekcija nustatė, kad duomenų valdytojas tvarkė asmens duomenis "
           "neturėdamas teisinio pagrindo, todėl jam skirta bauda."),
    ("lv", "Datu valsts inspekcija konstatēja, ka pārzinis ir apstrādājis personas datus bez tiesiska pamata, "
           "tādēļ tam tika piemērots naudas sods."),
    ("mt", "Il-Kummissarju għall-Informazzjoni u l-Protezzjoni tad-Data sab li l-kontrollur ipproċessa d-data "
           "personali mingħajr bażi legali u imponielu multa amministrattiva."),
    ("no", "Datatilsynet har kommet til at virksomheten har behandlet personopplysninger uten rettslig grunnlag, "
           "og ilegger den derfor et overtredelsesgebyr."),
    ("pl", "Prezes Urzędu Ochrony Danych Osobowych stwierdził, że administrator przetwarzał dane osobowe bez "
           "podstawy prawnej, i nałożył na spółkę karę pieniężną."),
    ("pt", "A Comissão Nacional de Proteção de Dados deliberou aplicar à arguida uma coima, porque o tratamento "
           "dos dados pessoais dos clientes não tinha fundamento de licitude."),
    ("ro", "Autoritatea Națională de Supraveghere a constatat că operatorul a prelucrat datele cu caracter "
           "personal ale clienților fără temei legal și l-a sancționat cu amendă."),
    ("sl", "Informacijski pooblaščenec je ugotovil, da je upravljavec obdeloval osebne podatke brez pravne "
           "podlage, zato mu je izrekel globo in odredil izbris podatkov."),
]

# The points of Article 58(2) GDPR that give each corrective power, and the outcome the power is.
CORRECTIVE_POWERS = {"b": Outcome.REPRIMAND, "c": Outcome.ORDER, "d": Outcome.ORDER, "f": Outcome.BAN,
                     "i": Outcome.FINE}
EU_LANGS = [lang for lang in LANGS if lang not in ("is", "no")]

# (authority as the GDPRhub export names it, lang): authorities whose case numbers it lists as they write them.
GDPRHUB_CASES = [
    ("DPA: UODO (Poland)", "pl"),
    ("DPA: Datatilsynet (Denmark)", "da"),
    ("DPA: IP (Slovenia)", "sl"),
    ("DPA: Tietosuojavaltuutetun toimisto (Finland)", "fi"),
    ("DPA: Datatilsynet (Norway)", "no"),
    ("DPA: Commissioner (Cyprus)", "el"),
    ("DPA: AKI (Estonia)", "et"),
    ("DPA: CNPD (Portugal)", "pt"),
]


@pytest.mark.parametrize("path", sorted(GRAMMARS.glob("*.json")), ids=lambda path: path.stem)
def test_every_grammar_file_loads_as_its_language_with_twelve_months(path):
    assert json.loads(path.read_text(encoding="utf-8"))["lang"] == path.stem
    rules = grammar(path.stem)
    assert rules.lang == path.stem
    assert set(rules.months.values()) == set(range(1, 13))
    assert all(name == name.lower() for name in rules.months)


def test_each_of_these_languages_has_a_grammar_for_its_countries():
    assert set(LANGS) <= set(languages())
    assert {lang: sorted(grammar(lang).countries) for lang in ("el", "ga", "is", "mt", "no", "pt")} == {
        "el": ["CY", "GR"], "ga": ["IE"], "is": ["IS"], "mt": ["MT"], "no": ["NO"], "pt": ["PT"]}


@pytest.mark.parametrize("table", [DATES, AMOUNTS, OUTCOMES, FINES, SAMPLES],
                         ids=["dates", "amounts", "outcomes", "fines", "samples"])
def test_every_language_has_its_rows(table):
    assert sorted({row[0] for row in table}) == LANGS


@pytest.mark.parametrize(("lang", "text"), GDPR_CEILINGS)
def test_amounts_grouped_by_spaces_as_union_texts_write_them(corpus, lang, text):
    assert text in fold(_gdpr(corpus, lang)["eu/reg/2016/679/art_83/par_4"])
    money = grammar(lang).parse_money(text)
    assert (money.amount_minor, money.currency) == (1_000_000_000, "EUR")


def test_a_kuna_amount_has_its_euro_value_at_the_conversion_rate_after_2022():
    money = grammar("hr").parse_money("75.345,00 kuna", on=dt.date(2023, 3, 1))
    assert (money.currency, money.eur_minor, str(money.eur_rate)) == ("HRK", 1_000_000, "7.53450")


@pytest.mark.parametrize("lang", EU_LANGS)
def test_the_outcome_words_are_those_of_the_gdpr_in_the_language(corpus, lang):
    """Article 58(2)'s reprimand, orders, ban and fine, in the official text of the language, read as such."""
    points = _gdpr(corpus, lang)
    read = {point: grammar(lang).outcome(fold(points[f"eu/reg/2016/679/art_58/par_2/pnt_{point}"]))
            for point in CORRECTIVE_POWERS}
    assert read == CORRECTIVE_POWERS


@pytest.mark.parametrize(("lang", "text", "minor", "currency"), FINES)
def test_the_fine_imposed(lang, text, minor, currency):
    fine = grammar(lang).find_fine((fold(text),))
    assert (fine.amount_minor, fine.currency) == (minor, currency)


@pytest.mark.parametrize(("lang", "text", "ref"), CASE_REFS)
def test_case_references(lang, text, ref):
    assert grammar(lang).case_reference(fold(text)) == ref


@pytest.mark.parametrize(("lang", "text", "iso"), DECISION_DATES)
def test_decision_dates(lang, text, iso):
    rules = grammar(lang)
    assert rules.find_date(rules.decision_date_cues, fold(text)).value == dt.date.fromisoformat(iso)


@pytest.mark.parametrize(("lang", "text", "head", "ruling"), OPERATIVE_PARTS)
def test_operative_parts(lang, text, head, ruling):
    assert grammar(lang).operative_part(text) == (head, ruling)


@pytest.mark.parametrize(("lang", "text", "expected"), PARTIES)
def test_parties(lang, text, expected):
    assert [(party.name, party.legal_form) for party in grammar(lang).find_parties(text)] == expected


@pytest.mark.parametrize(("lang", "text", "expected"), LAWS)
def test_other_laws(lang, text, expected):
    assert grammar(lang).laws_named(text) == expected


def test_norwegian_nynorsk_is_not_read_as_bokmal():
    assert detect("Datatilsynet har kome til at verksemda har handsama personopplysningar utan rettsleg "
                  "grunnlag, og gjev henne difor eit lovbrotsgebyr. Vedtaket kan klagast på.") == "nn"


@pytest.mark.parametrize(("authority", "lang"), GDPRHUB_CASES)
def test_case_numbers_of_the_corpus_are_read_whole(corpus, authority, lang):
    """Four in five of the numbers the export lists for the authority (cells with six digits or more, other
    than the EDPB register's "EDPBI:…" ids), the rest being typing slips such as "1/22/1396"."""
    with (corpus / "fines" / "gdprhub_decisions_2024-03.csv").open(encoding="utf-8-sig", newline="") as file:
        cells = [row["Case number/name"] for row in csv.DictReader(file) if row["Decision by"] == authority]
    numbered = [cell for cell in cells if sum(char.isdigit() for char in cell) >= 6 and not cell.startswith("EDPBI")]
    unread = [cell for cell in numbered if not _read_whole(grammar(lang).case_reference(fold(cell)), cell)]
    assert len(numbered) >= 10 and len(unread) <= 0.2 * len(numbered), unread


def _read_whole(ref: str | None, cell: str) -> bool:
    return ref is not None and ref.replace(" ", "") in cell.replace(" ", "")


@cache
def _gdpr(corpus: Path, lang: str) -> dict[str, str]:
    """The GDPR's provisions in ``lang``, by id, as its official consolidated text words them."""
    path = corpus / "eurlex_24" / f"gdpr_02016R0679_formex_consolidated_{lang}.xml"
    return {provision.id: provision.text for provision in parse_formex_act(path.read_bytes()).provisions}
