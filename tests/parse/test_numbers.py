"""Numbers and sentences as other scripts and locales write them."""

import html

import pytest

from companion.parse import ParseError, parse_page
from companion.parse.numerals import find_numbers, parse_number, percentage
from companion.parse.prose import read_group_averages
from tests.conftest import DATA


@pytest.mark.parametrize(
    "text, expected",
    [
        ("20,998", 20.998),
        ("13.118", 13.118),
        ("\u00a015\u202f", 15.0),
        ("\u0662\u0660\u066b\u0665", 20.5),  # Eastern Arabic digits and decimal separator
        ("-3", -3.0),
        ("\u22123", -3.0),  # the minus sign, not a hyphen
        ("", None),
        ("1e3", None),
        ("NaN", None),
        ("Top 10", None),
    ],
)
def test_parse_number(text, expected):
    assert parse_number(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Top 75%", 75),
        ("Top 75\u00a0%", 75),
        ("Primeiros 10%", 10),
        ("\u4e0a\u4f4d10\uff05", 10),  # Japanese: digits touch the letters, full-width percent
        ("%10 içinde", 10),  # Turkish writes the sign first
        ("\u0623\u0639\u0644\u0649 \u0661\u0660\u066a", 10),  # Arabic percent sign
        ("Top-10%", 10),  # a hyphen is not a minus
        ("up 2 since last week, Top 9%", 9),
    ],
)
def test_percentage(text, expected):
    assert percentage(text) == expected


def test_find_numbers_keeps_decimal_commas_whole():
    assert [v for v, _, _ in find_numbers("21,048 e 6,5 de 25")] == [21.048, 6.5, 25]


@pytest.mark.parametrize(
    "sentences, industry_avg, network_avg, industry",
    [
        (
            ["Sales professionals in the Computer Networking industry have an average SSI of 31.",
             "People in your network have an average SSI of 33."],
            31, 33, "Computer Networking",
        ),
        (["Sales professionals in the Software industry have an average SSI of 31 out of 100."],
         31, None, "Software"),
        # Two statements that disagree: neither is believed.
        (["People in your network have an average SSI of 33.",
          "People in your network have an average SSI of 40."], None, None, None),
        # A rank sentence is not an average.
        (["Your industry SSI average rank: Top 10%"], None, None, None),
        # A language we cannot read: left empty, never guessed.
        (["\u696d\u754c\u306e\u55b6\u696d\u62c5\u5f53\u8005\u306e\u5e73\u5747SSI\u306f31\u3067\u3059\u3002"],
         None, None, None),
    ],
)  # fmt: skip
def test_group_averages_from_sentences(sentences, industry_avg, network_avg, industry):
    found = read_group_averages(sentences)
    assert (found.industry_avg, found.network_avg, found.industry) == (
        industry_avg,
        network_avg,
        industry,
    )


def test_saved_page_comment_names_the_url():
    # Chrome's "Save page as" writes where the page came from; a saved sign-in page is no SSI.
    page = (DATA / "current_en.html").read_text()
    saved = "<!-- saved from url=(0033)https://www.linkedin.com/login -->\n" + page
    with pytest.raises(ParseError) as info:
        parse_page(saved)
    assert info.value.code == "not_ssi_page"


def test_json_escaped_twice_in_code_is_read():
    from tests.conftest import REAL_FIXTURES

    payload = (REAL_FIXTURES / "linkedin-beacon_salesApiSsi_live_2026-06.json").read_text()
    page = f"<html><body><code hidden>{html.escape(html.escape(payload))}</code></body></html>"
    reading = parse_page(page)
    assert reading.source == "json_2021" and reading.network_rank == 81


def test_ranks_follow_their_labels_when_the_page_lists_network_first():
    page = (DATA / "current_en.html").read_text()
    reading = parse_page(page)
    assert reading.industry_rank != reading.network_rank, "fixture must tell the ranks apart"
    dl_start = page.index('<dl class="ssi-ranks"')
    dl_end = page.index("</dl>", dl_start)
    blocks = page[dl_start:dl_end].split('<div class="ssi-rank"')[1:]
    assert len(blocks) == 2
    network_first = '<div class="ssi-rank"' + blocks[1] + '<div class="ssi-rank"' + blocks[0]
    swapped = page[:dl_start] + '<dl class="ssi-ranks">' + network_first + page[dl_end:]
    swapped_reading = parse_page(swapped)
    assert swapped_reading.industry_rank == reading.industry_rank
    assert swapped_reading.network_rank == reading.network_rank
