"""Words: a sentence kept as its English template and values, put into a language when read."""

from __future__ import annotations

import json

from django.utils import translation

from channels.words import Words, as_words, say, whole, words


def test_str_is_english_with_the_values_filled_in() -> None:
    sentence = words(
        "X allows %(limit)s characters per post; %(what)s has %(length)s.",
        limit=280,
        what=words("the first comment"),
        length=282,
    )
    assert str(sentence) == "X allows 280 characters per post; the first comment has 282."


def test_a_stored_sentence_reads_the_same_after_a_json_round_trip() -> None:
    sentence = words(
        "Gave up after %(count)s attempts. Last error: %(error)s",
        count=3,
        error=words("X did not answer (%(error)s); nothing was posted.", error="ReadTimeout"),
    )
    stored = json.loads(json.dumps(sentence.as_json()))
    assert Words.from_json(stored) == sentence
    assert str(Words.from_json(stored)) == str(sentence)


def test_text_from_a_network_is_kept_as_it_came_even_with_a_percent_sign() -> None:
    theirs = as_words("Daily limit 100% used (code %(x)s)")
    assert str(theirs) == "Daily limit 100% used (code %(x)s)"
    assert say(theirs.as_json()) == "Daily limit 100% used (code %(x)s)"


def test_say_puts_the_sentence_and_the_phrases_inside_it_into_the_active_language() -> None:
    sentence = words(
        "X allows %(limit)s characters per post; %(what)s has %(length)s.",
        limit=280,
        what=words("the first comment"),
        length=282,
    )
    with translation.override("sv"):
        assert say(sentence) == "X tillåter 280 tecken per inlägg; den första kommentaren har 282."
        assert say(sentence.as_json()) == say(sentence)
    assert say(sentence) == str(sentence)


def test_say_takes_nothing_or_plain_text_and_writes_decimals_the_local_way() -> None:
    assert say(None) == "" and say({}) == "" and say("as it is") == "as it is"
    size = words(
        "Instagram takes images up to 8 MB; %(name)s is %(size)s MB.", name="a.jpg", size=9.3
    )
    assert str(size) == say(size) == "Instagram takes images up to 8 MB; a.jpg is 9.3 MB."
    with translation.override("sv"):
        assert say(size) == "Instagram tar emot bilder på upp till 8 MB; a.jpg är 9,3 MB."


def test_whole_numbers_lose_their_decimal_point() -> None:
    assert (whole(60.0), whole(1.5), whole(9.26), whole(1.859, 2)) == (60, 1.5, 9.3, 1.86)
