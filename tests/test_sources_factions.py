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
