"""Actor -> faction mapping, on every distinct actor of the real UCDP and ACLED files."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from sources.factions import faction_of
from sources.schema import FACTIONS

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
UCDP_FILES = [
    DATA / "ucdp-ged-syria-2016-2019" / "ged_syria_652.1601.1911.csv",
    DATA / "ucdp-ged231-sample" / "ucdpged_sample_syria_rows.csv",
    DATA / "ucdp-ged-syria-yearly-csf" / "ged_syria_2011_2019_yearonly.csv",
]
ACLED = DATA / "acled-me-2022-sample" / "acled_middle_east_2022_subset_syria_rows.csv"

# Frequent actors that are "other" on purpose, and why.
JUSTIFIED_OTHER = {
    # ACLED's label for perpetrators it could not identify: no faction can be claimed.
    "Unidentified Armed Group (Syria)",
}


def actor_counts(paths, columns) -> Counter:
    counts: Counter = Counter()
    for path in paths:
        assert path.is_file(), f"shared data missing: {path}"
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                for column in columns:
                    counts[row[column]] += 1
    return counts


def test_every_ucdp_actor_maps_and_frequent_ones_are_known():
    counts = actor_counts(UCDP_FILES, ("side_a", "side_b"))
    assert len(counts) > 100
    factions = {actor: faction_of(actor) for actor in counts}
    assert set(factions.values()) <= set(FACTIONS)
    unknown_frequent = sorted(
        (n, a) for a, n in counts.items()
        if n >= 20 and factions[a] == "other" and a not in JUSTIFIED_OTHER
    )
    assert unknown_frequent == [], unknown_frequent
    # events whose actors fall to "other": a handful of clans and one-off groups
    other_events = sum(n for a, n in counts.items() if factions[a] == "other")
    assert other_events < 20


def test_every_acled_actor_maps_and_frequent_ones_are_known():
    counts = actor_counts([ACLED], ("ACTOR1", "ACTOR2"))
    counts.pop("", None)
    unknown_frequent = sorted(
        (n, a) for a, n in counts.items()
        if n >= 20 and faction_of(a) == "other" and a not in JUSTIFIED_OTHER
    )
    assert unknown_frequent == [], unknown_frequent


@pytest.mark.parametrize("actor,faction", [
    # the big UCDP sides
    ("Government of Syria", "government"), ("Syrian insurgents", "opposition"),
    ("IS", "is"), ("SDF", "sdf"), ("Civilians", "civilians"), ("HTS", "jihadist"),
    ("SNA", "turkey"), ("Government of Turkey", "turkey"), ("Government of Israel", "israel"),
    ("Government of Iran", "government"), ("Hezbollah", "government"),
    ("Government of Russia (Soviet Union)", "russia"),
    ("Government of United States of America", "coalition"),
    ("Jabhat Fateh al-Sham", "jihadist"), ("Hawar Kilis Operations Room", "turkey"),
    ("PYD", "sdf"), ("Euphrates Vulcano", "sdf"),
    # ACLED spellings
    ("Military Forces of Syria (2000-)", "government"),
    ("Military Forces of Syria (2000-) Prison Guards", "government"),
    ("Islamic State (Syria)", "is"), ("Civilians (Syria)", "civilians"),
    ("QSD: Syrian Democratic Forces", "sdf"), ("Opposition Rebels (Syria)", "opposition"),
    ("Military Forces of Russia (2000-)", "russia"), ("JWS: Syrian National Army", "turkey"),
    ("Military Forces of Turkey (2016-)", "turkey"), ("Operation Peace Spring", "turkey"),
    ("Military Forces of Israel (2021-)", "israel"), ("HTS: Hayat Tahrir al Sham", "jihadist"),
    ("Militia (Pro-Government)", "government"), ("LaQ: Quds Brigade", "government"),
    ("Military Forces of the United States (2021-)", "coalition"),
    # keyword inside another faction's name: order of the rules
    ("Global Coalition Against Daesh", "coalition"),
    ("Military Forces of Iraq (2020-) Popular Mobilization Forces", "government"),
    ("Tahrir al- Sham Army", "opposition"),  # Jaysh Tahrir al-Sham (FSA), not HTS
    ("Hay'at Tahrir al-Sham", "jihadist"), ("Jabhat al-Nusra", "jihadist"),
    ("Hurras al-Din", "jihadist"), ("Turkistan Islamic Party", "jihadist"), ("TIP", "jihadist"),
    ("Jaysh Khalid ibn al-Walid", "is"), ("ISIL", "is"), ("Daesh", "is"), ("ISIS", "is"),
    ("Syrian Arab Army", "government"), ("NDF", "government"), ("IRGC", "government"),
    ("Liwa al-Quds", "government"), ("Wagner Group", "russia"), ("YPJ", "sdf"),
    ("Asayish", "sdf"), ("Kurdish forces", "sdf"), ("Syrian National Army", "turkey"),
    ("TFSA", "turkey"), ("Faylaq al-Rahman", "opposition"), ("FSA", "opposition"),
    ("Jaysh al-Islam", "opposition"), ("Ahrar al-Sham", "opposition"),
    ("US-led coalition", "coalition"), ("Military Forces of the United Kingdom", "coalition"),
    # case, spacing, curly apostrophes
    ("  government OF   syria ", "government"), ("Mare’ Operations Room", "opposition"),
    ("islamic state", "is"),
    # lists of groups
    ("National Front for Liberation, SNA", "turkey"),  # SNA umbrella
    ("Ahrar al-Sham, Jabhat Fateh al-Sham, Southern Front", "opposition"),  # majority
    ("IS, Jabhat Fateh al-Sham", "is"),  # tie -> TIE_ORDER
    ("Asayish (Syria); YPG: Peoples Protection Units - Anti-Terror Unit", "sdf"),
    # not actors / unknown
    ("Government of Syria - IS", "other"), ("SDF - IS", "other"), ("", "other"),
    ("Unidentified Armed Group (Syria)", "other"), ("al-Bakkara clan", "other"),
    ("this is not an actor", "other"),  # lower-case "is" is a word, not IS
    ("Hasna group", "other"),  # whole words only: no "sna" inside "Hasna"
])
def test_known_actors(actor, faction):
    assert faction_of(actor) == faction


def test_non_string_is_other():
    assert faction_of(None) == "other"  # type: ignore[arg-type]


# -- the faction coding rules of data/SOURCES.md ("Faction coding rules"), rule by rule, with
# actor names as UCDP (side_a / side_b) and ACLED (actor1 / actor2 / assoc_actor) write them.

@pytest.mark.parametrize("actor,when,faction", [
    # The YPG and the PYD are "sdf" before the SDF was formed (10 Oct 2015) as after it.
    ("PYD", "2014-10-01", "sdf"),  # UCDP, Kobani 2014
    ("PYD", "2012-07-19", "sdf"),
    ("Jaysh al-Sanadid, MFS, PYD", "2015-05-01", "sdf"),  # UCDP list, 2015
    ("SDF", "2017-06-06", "sdf"),  # UCDP
    ("YPG: Peoples Protection Units", "2022-02-15", "sdf"),  # ACLED
    ("QSD: Syrian Democratic Forces", "2022-01-20", "sdf"),  # ACLED
    # HTS and its predecessors are always "jihadist".
    ("Jabhat Fateh al-Sham", "2013-05-01", "jihadist"),  # UCDP's name for al-Nusra
    ("Jabhat al-Nusra", "2014-01-01", "jihadist"),
    ("HTS", "2018-01-01", "jihadist"),  # UCDP
    ("Hayat Tahrir al-Sham", "2019-05-01", "jihadist"),
    ("HTS: Hayat Tahrir al Sham", "2022-01-29", "jihadist"),  # ACLED
    ("Former HTS: Hayat Tahrir al Sham", "2022-02-20", "jihadist"),  # ACLED
    ("Tanzim Hurras ad-Din", "2018-10-01", "jihadist"),  # UCDP
    ("Hurras al-Din", "2020-01-01", "jihadist"),
    # Coalitions: coded as the source describes them. Named alone, Jaysh al-Fatah is
    # "jihadist" for its al-Nusra component; Fatah Halab (no al-Nusra) is "opposition";
    # a UCDP list votes, and an al-Nusra tie is not hidden among allies.
    ("Jaysh al Fatah Idlib", "2015-04-01", "jihadist"),  # UCDP
    ("Army of Conquest", "2015-04-01", "jihadist"),
    ("Fatah Halab", "2015-10-01", "opposition"),  # UCDP
    ("Fatah Halab, Jabhat Fateh al-Sham", "2016-08-01", "jihadist"),  # UCDP, tie
    ("Ahrar al-Sham, Jabhat Fateh al-Sham, Southern Front", "2016-01-01", "opposition"),
    # Iran-backed and foreign militias are "government" ("Government and allies").
    ("Hezbollah", "2017-01-01", "government"),  # UCDP and ACLED
    ("Hezbollah; Militia (Pro-Iran)", "2022-02-24", "government"),  # ACLED
    ("Harakat Hezbollah Al Nujaba; Militia (Pro-Iran)", "2022-01-06", "government"),  # ACLED
    ("Military Forces of Iraq (2020-) Popular Mobilization Forces", "2022-01-06", "government"),
    ("Military Forces of Iran (1989-) Islamic Revolutionary Guard Corps", "2022-01-05",
     "government"),  # ACLED
    ("Government of Iran", "2018-05-10", "government"),  # UCDP
    ("Liwa Fatemiyoun", "2017-01-01", "government"),  # Afghan
    ("Fatemiyoun Brigade", "2017-01-01", "government"),
    ("Liwa Zainabiyoun", "2017-01-01", "government"),  # Pakistani
    ("Asa'ib Ahl al-Haq", "2015-01-01", "government"),  # Iraqi
    ("Kata'ib Sayyid al-Shuhada", "2015-01-01", "government"),  # Iraqi
    ("Liwa Abu al-Fadl al-Abbas", "2013-06-01", "government"),  # Iraqi
    ("Military Forces of Syria (2000-)", "2022-01-01", "government"),  # ACLED
    # Turkey: its own forces, the TFSA and the SNA are "turkey"; the Turkey-backed brigades
    # are "turkey" from Euphrates Shield (24 Aug 2016) and "opposition" before it.
    ("Government of Turkey", "2016-02-03", "turkey"),  # UCDP, state forces before Aug 2016
    ("Military Forces of Turkey (2016-)", "2022-01-01", "turkey"),  # ACLED
    ("SNA", "2018-03-18", "turkey"),  # UCDP, after 30 Dec 2017
    ("SNA: Syrian National Army", "2019-10-10", "turkey"),
    ("JWS: Syrian National Army", "2022-01-03", "turkey"),  # ACLED
    ("National Front for Liberation, SNA", "2019-06-01", "turkey"),  # UCDP list
    ("TFSA", "2017-01-01", "turkey"),
    ("Hawar Kilis Operations Room", "2016-04-07", "opposition"),  # UCDP, before Euphrates Shield
    ("Hawar Kilis Operations Room", "2016-08-23", "opposition"),
    ("Hawar Kilis Operations Room", "2016-08-24", "turkey"),
    ("Hawar Kilis Operations Room", "2017-02-01", "turkey"),
    ("Liwa al-Sultan Murad", "2015-06-01", "opposition"),
    ("Liwa al-Sultan Murad", "2018-01-25", "turkey"),  # UCDP
    ("Hamza Division, Liwa al-Sultan Murad", "2017-05-01", "turkey"),  # UCDP list
    ("Syrian Turkmen Brigades", "2014-01-01", "opposition"),
    ("Hamza Brigade", "2022-02-12", "turkey"),  # ACLED
    ("Al Shamal Brigade", "2022-02-03", "turkey"),  # ACLED
    ("Sultan Suleiman Shah Brigade (Syria)", "2022-02-07", "turkey"),  # ACLED
    ("Al Mu'tasim Brigade; JWS: Syrian National Army", "2022-02-04", "turkey"),  # ACLED
    # Russia's own forces are "russia"; a side of the Syrian government with Russia is
    # "government".
    ("Government of Russia (Soviet Union)", "2017-01-01", "russia"),  # UCDP
    ("Military Forces of Russia (2000-)", "2022-01-01", "russia"),  # ACLED
    ("Wagner Group", "2018-02-07", "russia"),
    ("Government of Syria, Government of Russia (Soviet Union)", "2016-01-01", "government"),
    ("Government of Syria, Government of Russia", "2016-01-01", "government"),
    ("QDW: National Defence Forces; Military Forces of Russia (2000-)", "2022-01-22",
     "government"),  # ACLED
    # IS and its affiliates are "is".
    ("IS", "2017-12-06", "is"),  # UCDP
    ("Islamic State (Syria)", "2022-01-20", "is"),  # ACLED
    ("Jaysh Khalid ibn al-Walid", "2017-01-01", "is"),
    ("Khalid ibn al-Walid Army", "2018-07-01", "is"),
    ("Shohadaa al-Yarmouk", "2016-03-01", "is"),  # UCDP, merged into the Khalid ibn al-Walid Army
    # The big sides
    ("Syrian insurgents", "2016-01-01", "opposition"),  # UCDP
    ("Government of Syria", "2016-01-01", "government"),  # UCDP
])
def test_faction_coding_rules(actor, when, faction):
    assert faction_of(actor, when) == faction


@pytest.mark.parametrize("when", [None, "", "not a date", float("nan"), "NaT"])
def test_turkey_backed_brigades_without_a_date_are_turkey(when):
    assert faction_of("Hawar Kilis Operations Room", when) == "turkey"


def test_date_rule_on_the_real_ucdp_file():
    """Hawar Kilis Operations Room events (UCDP side_a) split at 24 Aug 2016."""
    import pandas as pd

    from sources.factions import TFSA_FROM, factions_of

    ged = pd.read_csv(UCDP_FILES[0], usecols=["side_a", "date_start"], dtype=str)
    rows = ged[ged["side_a"] == "Hawar Kilis Operations Room"]
    assert len(rows) > 100
    coded = factions_of(rows["side_a"], rows["date_start"])
    early = rows["date_start"] < TFSA_FROM.isoformat()
    assert early.any() and (~early).any()
    assert (coded[early] == "opposition").all()
    assert (coded[~early] == "turkey").all()
    # every other side keeps its name-only faction whatever the date
    other = ged[ged["side_a"] != "Hawar Kilis Operations Room"].head(2000)
    assert factions_of(other["side_a"], other["date_start"]).tolist() == [
        faction_of(a) for a in other["side_a"]
    ]


def test_factions_of_without_dates_matches_faction_of():
    import pandas as pd

    from sources.factions import factions_of

    names = pd.Series(["IS", "Hawar Kilis Operations Room", None, "SDF"], index=[3, 5, 7, 9])
    assert factions_of(names).tolist() == ["is", "turkey", "other", "sdf"]
    dated = factions_of(names, pd.Series(["2016-01-01"] * 4, index=[3, 5, 7, 9]))
    assert dated.tolist() == ["is", "opposition", "other", "sdf"]
    assert list(dated.index) == [3, 5, 7, 9]
