"""The spoken sentences of a call."""

from __future__ import annotations

import pytest

from displays.announcer.config import AnnouncerConfig, SpokenName
from displays.announcer.phrases import phrases, spoken_counter, spoken_ticket
from tests.displays.conftest import MakeCall

WORDS = AnnouncerConfig()
DIGITS = AnnouncerConfig(numbers="digits")


@pytest.mark.parametrize(
    ("label", "config", "spoken_id", "spoken_en"),
    [
        ("B-023", WORDS, "B dua puluh tiga", "B twenty-three"),
        ("B-023", DIGITS, "B nol dua tiga", "B zero two three"),
        ("BI-001", WORDS, "B I satu", "B I one"),
        ("A-111", WORDS, "A seratus sebelas", "A one hundred and eleven"),
        ("C-1000", WORDS, "C seribu", "C one thousand"),
        ("C-1000", DIGITS, "C satu nol nol nol", "C one zero zero zero"),
        ("p-012", WORDS, "P dua belas", "P twelve"),
    ],
)
def test_ticket(label: str, config: AnnouncerConfig, spoken_id: str, spoken_en: str) -> None:
    assert spoken_ticket(label, "id", config) == spoken_id
    assert spoken_ticket(label, "en", config) == spoken_en


def test_a_label_that_is_not_a_ticket_is_refused() -> None:
    with pytest.raises(ValueError, match="not a ticket number"):
        spoken_ticket("B023", "id", WORDS)


@pytest.mark.parametrize(
    ("counter_name", "spoken_id", "spoken_en"),
    [
        ("CS 2", "C S dua", "C S two"),
        ("3", "tiga", "three"),
        ("Loket 3", "tiga", "three"),
        ("Counter 12", "dua belas", "twelve"),
        ("BIO-PRIORITAS 1", "B I O PRIORITAS satu", "B I O PRIORITAS one"),
        ("Pengaduan", "Pengaduan", "Pengaduan"),
        ("Loket", "Loket", "Loket"),
    ],
)
def test_counter_name(
    make_call: MakeCall, counter_name: str, spoken_id: str, spoken_en: str
) -> None:
    event = make_call(counter_name=counter_name)
    assert spoken_counter(event, "id", WORDS) == spoken_id
    assert spoken_counter(event, "en", WORDS) == spoken_en


def test_a_configured_spoken_name_overrides_the_display_name(make_call: MakeCall) -> None:
    config = AnnouncerConfig(counter_names={"cs-3": SpokenName(id="pengaduan", en="complaints")})
    assert phrases(make_call(counter="cs-3", counter_name="CS 3"), config) == [
        ("id", "Nomor antrean B dua puluh tiga, silakan menuju loket pengaduan"),
        ("en", "Number B twenty-three, please go to counter complaints"),
    ]
    other = phrases(make_call(counter="cs-4", counter_name="CS 4"), config)
    assert other[0][1].endswith("loket C S empat")


def test_call_then_recall_in_both_languages(make_call: MakeCall) -> None:
    assert phrases(make_call(counter_name="Loket 3"), WORDS) == [
        ("id", "Nomor antrean B dua puluh tiga, silakan menuju loket tiga"),
        ("en", "Number B twenty-three, please go to counter three"),
    ]
    assert phrases(make_call(counter_name="Loket 3", recall=True), WORDS) == [
        ("id", "Panggilan ulang, nomor antrean B dua puluh tiga, silakan menuju loket tiga"),
        ("en", "Repeat call, number B twenty-three, please go to counter three"),
    ]


def test_languages_follow_the_configured_order(make_call: MakeCall) -> None:
    assert [lang for lang, _ in phrases(make_call(), AnnouncerConfig(languages=("en",)))] == ["en"]
    both = phrases(make_call(), AnnouncerConfig(languages=("en", "id")))
    assert [lang for lang, _ in both] == ["en", "id"]


@pytest.mark.parametrize(
    "bad",
    [
        {"languages": ()},
        {"languages": ("fr",)},
        {"speed": 10},
        {"volume": 1.5},
        {"numbers": "roman"},
        {"max_waiting": 0},
    ],
)
def test_bad_config_is_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="must be"):
        AnnouncerConfig(**bad)  # type: ignore[arg-type]
