"""Actor name -> faction key of :data:`sources.schema.FACTIONS`, for every source.

The rules, in the order they are applied (:func:`faction_of`):

1. The name is normalised: surrounding space removed, runs of space collapsed, curly
   apostrophes made straight, lower-cased. An empty name is ``"other"``.
2. A list of groups credited jointly -- UCDP joins them with commas ("Ahrar al-Sham, HTS,
   Southern Front"), ACLED's associated actors with ``;`` -- is split and each group is
   classified on its own. A list naming ``SNA`` (the Syrian National Army, an umbrella whose
   member groups UCDP lists beside it) is ``"turkey"``. Otherwise the faction named by most
   groups wins; a tie is broken by :data:`TIE_ORDER` (the more specific/more extreme faction
   first, so an IS- or HTS-led coalition is not hidden among allies). Groups without a known
   faction do not vote.
3. A UCDP *dyad* name ("Government of Syria - IS") is two actors, not one: when the name
   splits on ``" - "`` into exactly two parts that each name a known faction, the result is
   ``"other"`` (callers pass side_a / side_b, never dyad_name).
4. A single name is matched against :data:`_RULES`, first match wins. Patterns are regular
   expressions matched case-insensitively on whole words (``\\b`` boundaries), so ``sna``
   does not match inside ``hasna``. The one case-sensitive rule is the token ``IS``, because
   "is" is an English word.
5. Anything else is ``"other"`` (unknown, unidentified armed groups, clans).

The order of :data:`_RULES` matters where one name holds another's keyword: "Global
Coalition Against Daesh" is the coalition, not IS; "Military Forces of Iraq (2020-)
Popular Mobilization Forces" is a pro-government militia, not the Iraqi state; "Tahrir
al-Sham Army" (Jaysh Tahrir al-Sham, an FSA group) is not Hay'at Tahrir al-Sham.

These patterns apply the faction coding rules of data/SOURCES.md ("Faction coding rules"):

- the YPG/YPJ and PYD are ``"sdf"`` at every date, before the SDF was formed (10 Oct 2015)
  as after it;
- al-Nusra, Jabhat Fatah al-Sham, HTS and Hurras al-Din are always ``"jihadist"``; a
  coalition is coded as the source describes it: its listed member groups vote (rule 2, ties
  to the more extreme faction), and Jaysh al-Fatah, named alone, is ``"jihadist"`` for its
  al-Nusra component;
- Hezbollah, Iran and the Iraqi, Afghan and Pakistani militias it backs are ``"government"``;
- Turkey's own forces, the TFSA and the SNA are ``"turkey"``; the Turkey-backed brigades
  (Hawar Kilis Operations Room, Sultan Murad, Hamza, al-Mu'tasim...) are ``"turkey"`` from
  Operation Euphrates Shield (:data:`TFSA_FROM`, 24 Aug 2016) and ``"opposition"`` before it,
  when the event's date is given (:func:`faction_of` ``when``, :func:`factions_of` ``dates``);
  without a date they are ``"turkey"``;
- Russia's own forces are ``"russia"``; a side that lists the Syrian government with Russia
  ("Government of Syria, Government of Russia (Soviet Union)") is ``"government"``;
- IS and its affiliates (the Khalid ibn al-Walid Army) are ``"is"``.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime
from functools import lru_cache

from sources.schema import FACTIONS

# Operation Euphrates Shield began on 24 Aug 2016 (Wikipedia, Operation Euphrates Shield): from
# that day the Turkey-backed brigades fight as the TFSA, from 30 Dec 2017 as the SNA; before it
# they were rebel brigades like any other.
TFSA_FROM = date(2016, 8, 24)

# Tie-break between factions named equally often in a UCDP list of groups.
TIE_ORDER: tuple[str, ...] = (
    "is",
    "jihadist",
    "turkey",
    "sdf",
    "opposition",
    "government",
    "russia",
    "coalition",
    "israel",
    "civilians",
)

# Turkmen and other rebel brigades that became the core of the TFSA and the SNA.
_TURKEY_BACKED_BRIGADES: tuple[str, ...] = (
    r"hawar kilis", r"hamza division", r"hamza brigade", r"sultan murad",
    r"sultan moh?am+[ae]d al-?fatih", r"al-?mou?tasem", r"al-?mu'?tasim", r"ahrar al-?sharqiya",
    r"jaysh al-?sharqiya", r"sharqiya army", r"waqqas", r"sultan suleiman shah",
    r"suleiman shah", r"al-?majd legion", r"faylaq al-?majd", r"al-?shamal brigade",
    r"liwa al-?shamal", r"syrian turkmen brigades?",
)

# (faction, patterns). First matching rule wins; see the module docstring for why the order
# is what it is. Patterns are regular expressions on the normalised (lower-case) name.
_RULES: list[tuple[str, tuple[str, ...]]] = [
    # Before "is": the coalition's own name contains "Daesh".
    ("coalition", (
        r"coalition against daesh", r"global coalition", r"international coalition",
        r"us-led coalition", r"u\.s\.-led", r"cjtf",
    )),
    # Before the Iraqi state: the PMF fight in Syria on the government side.
    ("government", (
        r"popular mobili[sz]ation", r"hashd", r"nujaba", r"kata'?ib hez?b[ou]llah",
        r"asa'?ib ahl al-?haq", r"kata'?ib sayy?id al-?shuhada", r"abu al-?fadl al-?abbas",
        r"liwa al-?imam al-?hussein", r"haidariyou?n", r"haydariyou?n",
    )),
    ("civilians", (
        r"civilians?", r"protesters", r"refugees", r"idps", r"prisoners", r"farmers",
        r"labou?r group", r"health workers", r"women", r"students", r"lawyers", r"journalists",
        r"teachers", r"children",
    )),
    ("is", (
        r"islamic state", r"isis", r"isil", r"daesh", r"da'esh",
        r"khalid ibn al-?walid", r"khalid bin al-?walid",
        r"shohadaa al-yarmouk", r"shuhada'? al-yarmouk",  # merged into Jaysh Khalid ibn al-Walid
        r"wilayat",
    )),
    ("jihadist", (
        r"jabhat al-?nusra", r"nusra front", r"al-nusra", r"jabhat fat[ae]h al-?sham",
        r"hts", r"hay'?at tahrir al-? ?sham", r"hayat tahrir al[- ]sham",
        r"hurr?as al-?din", r"hurr?as ad-?din", r"tanzim hurr?as",
        r"tip", r"turkistan islamic party", r"turkish islamic party",
        r"turkestan islamic party", r"etim",
        r"al-?qa'?ida", r"al-?qaeda", r"al qaeda",
        r"liwa al-?aqsa", r"jund al-?aqsa", r"ajnad al-?kavkaz", r"ansar al-?tawhid",
        r"ansar al-?din", r"ansar al-?islam", r"jund al-?malahem", r"humat al-?aqida",
        r"imam bukhari", r"jaysh al-?muhajireen", r"wa harid al-?mu'?minin",
        r"fath al-?mubeen", r"jaysh al-? ?fatah", r"jaish al-?fatah", r"army of conquest",
        r"ghuraba al-?sham",
    )),
    ("russia", (
        r"government of russia", r"military forces of russia", r"russian", r"russia",
        r"wagner",
    )),
    ("israel", (
        r"government of israel", r"military forces of israel", r"israeli", r"israel", r"idf",
    )),
    # Turkey's own forces, the TFSA and the SNA (whatever the date).
    ("turkey", (
        r"government of turkey", r"military forces of turkey", r"turkish", r"turkey",
        r"sna", r"syrian national army", r"tfsa", r"jws",
        r"euphrates shield", r"olive branch", r"peace spring",
    )),
    # The Turkey-backed brigades: "turkey" from TFSA_FROM, "opposition" before (see _single).
    ("turkey", _TURKEY_BACKED_BRIGADES),
    ("sdf", (
        r"sdf", r"syrian democratic forces", r"qsd", r"ypg", r"ypj", r"pyd", r"pkk", r"hpg",
        r"asayish", r"asayesh", r"kurdish forces", r"people'?s protection units",
        r"women'?s protection units", r"mfs", r"syriac military council", r"sutoro",
        r"jaysh al-?sanadid", r"al-?sanadid", r"khabour guards", r"euphrates v[ou]l[ck]ano",
        r"military council", r"future syria party", r"autonomous administration",
    )),
    ("coalition", (
        r"government of united states", r"united states", r"military forces of the united states",
        r"u\.s\.", r"usa", r"government of united kingdom", r"united kingdom",
        r"military forces of france", r"government of france",
        # Iraq and Jordan are members of the Global Coalition against Daesh; their strikes in
        # Syria were against IS.
        r"government of iraq", r"military forces of iraq", r"government of jordan",
        r"military forces of jordan",
    )),
    ("government", (
        r"government of syria", r"syrian government", r"syrian arab army", r"saa",
        r"military forces of syria", r"police forces of syria", r"syrian arab air force",
        r"ndf", r"national defen[cs]e forces", r"qdw",
        r"hez?b[ou]llah", r"hizb[ou]llah", r"hizballah",
        r"government of iran", r"military forces of iran", r"iranian", r"irgc",
        r"islamic revolutionary guard", r"quds force",
        r"pro-government", r"pro-regime", r"pro-iran", r"pro-assad", r"supporters of al-?assad",
        r"liwa al-? ?quds", r"quds brigade", r"laq", r"liwa al-? ?baqir", r"al-?baqir brigade",
        r"fatemiyou?n", r"fatemiyun", r"fatimiyou?n", r"zainabiyou?n", r"zaynabiyou?n",
        r"zeinabiyou?n", r"afghan militias?", r"iraqi militias?", r"shiite militias?",
        r"shia militias?", r"qaterji", r"tiger forces",
        r"republican guard", r"shabiha", r"baath battalions", r"desert hawks",
        r"pflp-gc", r"national police forces",
    )),
    ("opposition", (
        r"syrian insurgents", r"insurgents", r"opposition", r"rebels?", r"fsa",
        r"free syrian army", r"opponents of al-?assad", r"syrian national coalition",
        r"jaysh al-? ?islam", r"jaish al-?islam", r"ahrar al-? ?sham", r"aas",
        r"faylaq al-?rahman", r"rahman corps", r"al-?rahman legion",
        r"faylaq al-?sham", r"sham legion", r"al sham corps", r"southern front",
        r"fatah halab", r"islamic front", r"mujahideen army", r"srf",
        r"syrian revolutionaries front", r"national front for liberation", r"nfl",
        r"syrian liberation front", r"nour al-?din al-?zenki", r"suq[ou]{1,2}r al-? ?sham",
        r"jaysh al-? ?nasr", r"jaysh al-?nukhba", r"13th division", r"16th division",
        r"23rd division", r"levant front", r"al-?jabha al-?shamiyyah", r"mare'? operations room",
        r"tahrir al-? ?sham army", r"jaysh tahrir al-?sham", r"nsa", r"new syrian army",
        r"maghawir al-?thawra", r"revolutionary commando army", r"jaysh al-?asha'?er",
        r"harakat hazm", r"harkat hazm", r"northern storm brigade", r"dawn of freedom brigades",
        r"jabhat al-?akrad", r"liwa thuwar ar-?raqqa", r"authenticity and development front",
        r"unified military command", r"eastern qalamoun operations room",
        r"jaysh as?[ou]u?d al-?sharqiya", r"martyr lieutenant ahmed abdou",
        r"aknaf bait al-?maqdis", r"sons of yarmouk", r"al-?tawhid brigade",
        r"ahfad al-? ?rasoul", r"al-?farouq brigades", r"yarmouk army", r"furqan brigades",
        r"first regiment", r"northern hawks brigade", r"qawim movement", r"fistaqim",
        r"tajamu shuhada al-?sharqiya", r"ahrar ghurayan", r"baz al-?islamiya",
        r"majd al-?sham", r"liwa al-?fateh", r"liberation front", r"islamic kurdish front",
        r"liwa al-?jihad fi sabeel allah", r"ajnad al-?sham", r"liwa al-?haq", r"jaysh al-?sunna",
        r"tel khamis brigades", r"salahadin brigade", r"omar al-?mukhtar", r"liwa al-?qadisiya",
        r"saraya al-? ?jihad", r"jaysh al-?jihad", r"army of ahl al-?sunn", r"army of al-?ikhlas",
        r"dar'?a central committee", r"bayareq", r"al-?qa'?qa brigade", r"army of maoata", r"plo",
    )),
]

_COMPILED: list[tuple[str, re.Pattern[str], bool]] = [
    # "-?" in a pattern means "a hyphen, a space or nothing": sources write "al-Sham",
    # "al Sham" and "alSham". The flag marks the Turkey-backed brigades' rule.
    (faction, re.compile(r"\b(?:" + "|".join(p.replace("-?", "[- ]?") for p in patterns)
                         + r")(?!\w)"), patterns is _TURKEY_BACKED_BRIGADES)
    for faction, patterns in _RULES
]
_IS_TOKEN = re.compile(r"(?<![\w-])IS(?![\w-])")
_SPACES = re.compile(r"\s+")

for _faction, _ in _RULES:  # a typo in a faction key would silently never be chosen
    assert _faction in FACTIONS, _faction


def _normalise(actor: str) -> str:
    text = actor.replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    return _SPACES.sub(" ", text).strip()


def _single(name: str, before_tfsa: bool = False) -> str:
    """Faction of one group name (already normalised, original case)."""
    if _IS_TOKEN.search(name):
        return "is"
    lower = name.lower()
    for faction, pattern, turkey_backed in _COMPILED:
        if pattern.search(lower):
            return "opposition" if turkey_backed and before_tfsa else faction
    return "other"


def _before_tfsa(when) -> bool:
    """Whether an event date lies before :data:`TFSA_FROM`; unknown or empty dates do not."""
    if when is None:
        return False
    try:
        if isinstance(when, datetime):
            return bool(when.date() < TFSA_FROM)
        if isinstance(when, date):
            return when < TFSA_FROM
        return date.fromisoformat(str(when).strip()[:10]) < TFSA_FROM
    except (TypeError, ValueError):
        return False  # NaT, "", NaN or an unreadable date: no date rule


def faction_of(actor: str, when=None) -> str:
    """Return the faction key (of :data:`sources.schema.FACTIONS`) of an actor name.

    Parameters
    ----------
    actor : str
        An actor as a source names it: UCDP ``side_a`` / ``side_b`` (possibly a list of
        groups), ACLED ``actor1`` / ``actor2``, or a canonical ``actor1`` / ``actor2``.
    when : date, datetime, str (YYYY-MM-DD) or None
        The event's (start) date. Only the Turkey-backed brigades depend on it
        (``"opposition"`` before :data:`TFSA_FROM`); None means no date rule.

    Returns
    -------
    str
        A key of ``FACTIONS``; ``"other"`` when the actor is empty, unknown or a UCDP dyad
        name. The rules are in the module docstring.
    """
    if not isinstance(actor, str):
        return "other"
    return _faction(actor, _before_tfsa(when))


@lru_cache(maxsize=16384)
def _faction(actor: str, before_tfsa: bool) -> str:
    """:func:`faction_of` for a string actor and a known era (cached)."""
    name = _normalise(actor)
    if not name:
        return "other"
    if "," in name or ";" in name:
        # A list of groups: UCDP joins them with commas, ACLED's associated actors with ";".
        groups = [g.strip() for g in re.split(r"[,;]", name) if g.strip()]
        if any(re.fullmatch(r"(?i)sna|syrian national army", g) for g in groups):
            return "turkey"
        votes = Counter(f for f in (_single(g, before_tfsa) for g in groups) if f != "other")
        if votes:
            top = max(votes.values())
            return next(f for f in TIE_ORDER if votes.get(f) == top)
        return "other"
    parts = name.split(" - ")
    if len(parts) == 2 and all(_single(p) != "other" for p in parts):
        return "other"  # a dyad name, two actors
    return _single(name, before_tfsa)


def factions_of(actors, dates=None) -> list[str]:
    """Vectorised :func:`faction_of`: classify each distinct name (and era) once.

    Parameters
    ----------
    actors : pandas.Series of str
    dates : pandas.Series of dates or ISO strings, aligned with ``actors``, optional
        The events' (start) dates, for the date rule of the Turkey-backed brigades. Without
        them no date rule applies.

    Returns
    -------
    pandas.Series of str, aligned with ``actors``
    """
    import pandas as pd

    series = pd.Series(actors, copy=False).fillna("").astype(str)
    if len(series) == 0:
        return pd.Series([], index=series.index, dtype="string")
    if dates is None:
        before = pd.Series(False, index=series.index)
    else:
        when = pd.to_datetime(pd.Series(dates, copy=False).reset_index(drop=True),
                              errors="coerce", format="mixed")
        before = pd.Series((when < pd.Timestamp(TFSA_FROM)).to_numpy(), index=series.index)
    keys = pd.MultiIndex.from_arrays([series.to_numpy(), before.to_numpy(dtype=bool)])
    codes, uniques = keys.factorize(sort=False)
    mapped = pd.array([_faction(name, bool(era)) for name, era in uniques], dtype="string")
    return pd.Series(mapped.take(codes), index=series.index, dtype="string")
