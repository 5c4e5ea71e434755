"""Weights as the user writes and reads them, in grams or ounces, against the milligrams core stores."""

from __future__ import annotations

import pytest

from desktop.dialogs.units import UnitError, parse_weight, weight, weight_input, weight_signed


@pytest.mark.parametrize(
    ("mg", "grams", "ounces"),
    [
        (1_000_000, "1,000 g", "35.27 oz"),
        (250_000, "250 g", "8.82 oz"),
        (12_500, "12.5 g", "0.44 oz"),
        (28_350, "28.4 g", "1.00 oz"),
        (0, "0 g", "0.00 oz"),
    ],
)
def test_a_weight_is_shown_in_the_unit_the_user_chose(mg: int, grams: str, ounces: str) -> None:
    assert weight(mg, "g") == grams
    assert weight(mg, "oz") == ounces


def test_a_change_of_weight_carries_its_sign() -> None:
    assert weight_signed(-12_500, "g") == "\u221212.5 g"
    assert weight_signed(28_350, "oz") == "+1.00 oz"


@pytest.mark.parametrize(
    ("text", "grams_mg", "ounces_mg"),
    [
        ("10", 10_000, 283_495),  # a bare number is in the user's unit
        ("8.82", 8_820, 250_043),
        ("8,82", 8_820, 250_043),
        ("250 g", 250_000, 250_000),  # a unit typed with it wins
        ("250g", 250_000, 250_000),
        ("1.2 kg", 1_200_000, 1_200_000),
        ("8 oz", 226_796, 226_796),
        ("1 lb", 453_592, 453_592),
        ("  ", None, None),
    ],
)
def test_a_typed_weight_means_the_users_unit_unless_it_names_one(
    text: str, grams_mg: int | None, ounces_mg: int | None
) -> None:
    assert parse_weight(text, "g") == grams_mg
    assert parse_weight(text, "oz") == ounces_mg


def test_what_is_not_a_weight_is_refused_with_the_users_unit_in_the_sentence() -> None:
    with pytest.raises(UnitError, match="in grams"):
        parse_weight("a lot", "g")
    with pytest.raises(UnitError, match="in ounces"):
        parse_weight("a lot", "oz")


def test_a_form_shows_a_weight_so_that_it_reads_back() -> None:
    assert weight_input(12_345, "g") == "12.345"
    assert parse_weight(weight_input(12_345, "g"), "g") == 12_345
    assert weight_input(1_000_000, "oz") == "35.27"
    assert weight_input(None, "oz") == ""
