"""Body and junk: offsets stay in the original text."""

from __future__ import annotations

from ingest.text_cleaning import clean, language_of


def test_footer_and_credits_are_junk():
    text = (
        "Title\n\nАвтор фото: avtotor.ru\nBody line one.\nAuthor:\n\njohn doe\n"
        "Body line two.\n- News can be read in viber\nPrevious articleX\n"
        "Next articleY\nI am Bret, a journalist\nLEAVE A REPLY\n"
    )
    cleaned = clean(text)
    body = [text[p.start : p.end] for p in cleaned.paragraphs]
    assert body == ["Title", "Body line one.", "Body line two."]
    junk = [text[start:end] for start, end in cleaned.junk_spans]
    assert junk[0] == "Автор фото: avtotor.ru"
    assert "john doe" in junk
    assert junk[-1].startswith("Previous articleX") and junk[-1].endswith(
        "LEAVE A REPLY\n"
    )
    assert text[cleaned.body_start : cleaned.body_end].endswith("Body line two.")


def test_language_per_paragraph():
    text = "Завод Автотор выпустил машины.\nThe plant made cars."
    cleaned = clean(text)
    assert [p.language for p in cleaned.paragraphs] == ["ru", "en"]
    assert language_of("КАМАЗ and KAMAZ plant") == "en"


def test_letter_counts_equal_the_regex_counts_for_every_character():
    # Counts add up character by character, so agreeing on every single
    # character (and on the fallback's triggers) proves any text.
    import re

    from ingest.text_cleaning import letter_counts

    cyrillic = re.compile(r"[а-яё]", re.IGNORECASE)
    latin = re.compile(r"[a-z]", re.IGNORECASE)
    for code_point in range(0x110000):
        character = chr(code_point)
        expected = (len(cyrillic.findall(character)), len(latin.findall(character)))
        assert letter_counts(character) == expected, hex(code_point)
    mixed = "Ёлка и KAMAZ, İstanbul ſ \u212a \u1c80 \u0404 \ud800 ok"
    assert letter_counts(mixed) == (
        len(cyrillic.findall(mixed)),
        len(latin.findall(mixed)),
    )
    assert letter_counts("Автотор plant 2024") == (7, 5)


def test_photo_captions_and_licence_footers_are_furniture():
    text = (
        "Plant opens\n\n12 March 2019\n\nИван Петров в марте 2019 года\n\n"
        "The plant opened on Tuesday.\nSUBSCRIBE FOR NEWS\n"
        "All content on this site is licensed under\nCreative Commons\n"
    )
    body = clean(text)
    kept = [text[p.start : p.end] for p in body.paragraphs]
    assert kept == ["Plant opens", "12 March 2019", "The plant opened on Tuesday."]


# Furniture rules added while tuning on the development set (made-up lines).


def _body_lines(text):
    body = clean(text)
    return [text[paragraph.start : paragraph.end] for paragraph in body.paragraphs]


def test_a_photo_caption_with_positions_or_a_credit_is_furniture():
    text = (
        "The plant opened on Monday.\n\n"
        "Minister Ann Lee (left center) talks with workers at the plant.\n"
        "Workers at the new line, May 5, 2021. (by John Roe for Acme Motors)\n"
        "Output will reach 50,000 cars."
    )
    assert _body_lines(text) == [
        "The plant opened on Monday.",
        "Output will reach 50,000 cars.",
    ]


def test_a_wire_distributors_line_is_furniture():
    text = (
        "Acme Motors\n\n03/04/2024 | Press release | Distributed by Wire on "
        "03/04/2024 10:00\n\nAcme opened a plant."
    )
    assert _body_lines(text) == ["Acme Motors", "Acme opened a plant."]


def test_wiki_maintenance_notices_are_furniture():
    text = (
        "Завод (история)\nЭту статью предлагается разделить на две статьи. |\n"
        "This article needs additional citations for verification.\n"
        "Завод основан в 1930 году."
    )
    assert _body_lines(text) == ["Завод (история)", "Завод основан в 1930 году."]


def test_a_wiki_mirrors_category_line_is_furniture():
    text = (
        "Завод выпускает автобусы.\n\n"
        "К:Предприятия, основанные в 1927 году\n"
        "Category:Bus manufacturers\n"
        "Категории: Автобусы | Заводы"
    )
    assert _body_lines(text) == ["Завод выпускает автобусы."]
