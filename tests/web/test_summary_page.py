"""The summary page, its charts and exports, and the settings page, through Flask."""

import json
import re
from datetime import datetime, time, timedelta

import pytest
from bs4 import BeautifulSoup

from companion import store
from companion.history.tips import TIPS
from companion.history.wording import day
from companion.ingest import demo
from companion.ingest.exports import EXPORT_COLUMNS, export_csv, export_json
from companion.ingest.imports import import_file
from companion.ingest.receive import receive
from companion.parse import ParseError
from companion.reading import PILLAR_NAMES
from companion.reminders.rules import SSI_URL
from companion.store import access_token as token
from companion.store import preferences
from tests.builders import reading as export_reading
from tests.builders import write_csv
from tests.conftest import DATA, sign_in

PORT = 47613
BASE = f"http://127.0.0.1:{PORT}"
OWN = {"Origin": BASE, "Host": f"127.0.0.1:{PORT}"}
EXT = "chrome-extension://" + "a" * 32
CSP = "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"


# -- helpers ---------------------------------------------------------------------------------


def today():
    return datetime.now().astimezone().date()


def moment(days_ago: int, hour: int = 12) -> str:
    then = today() - timedelta(days=days_ago)
    return datetime.combine(then, time(hour)).astimezone().isoformat()


def shown_day(days_ago: int) -> str:
    """The date `days_ago` days before today as the page writes it: 10 Nov 2026."""
    return day(today() - timedelta(days=days_ago))


def db_of(app):
    return store.connect(app.config["DATA_DIR"])


def get(client, path):
    return client.get(path, base_url=BASE)


def page(client, path="/") -> str:
    response = get(client, path)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def csrf(client, path="/settings") -> str:
    return re.search(r'name="csrf_token" value="([0-9a-f]+)"', page(client, path)).group(1)


def post(client, path, data=None, headers=None, with_csrf=True):
    form = dict(data or {})
    if with_csrf and "csrf_token" not in form:
        form["csrf_token"] = csrf(client)
    return client.post(path, data=form, headers=OWN if headers is None else headers, base_url=BASE)


def text_of(html: str) -> str:
    return " ".join(BeautifulSoup(html, "html.parser").get_text(" ").split())


def import_rows(app, tmp_path, rows: list[dict], name="rows.csv"):
    result = import_file(db_of(app), write_csv(tmp_path / name, rows))
    assert result.refused is None, result.refused
    return result


# The peers every reading here is compared with, as the page states them.
PEERS = {"industry_avg": 31.0, "network_avg": 35.0, "industry": "Software Development"}


def reading(days_ago, brand, people, insights, relationships, **extra) -> dict:
    pillars = dict(brand=brand, people=people, insights=insights, relationships=relationships)
    ranks = {"industry_rank": 15, "network_rank": 20}
    return export_reading(moment(days_ago), **pillars, **{**ranks, **PEERS, **extra})


def freshness_shown(client) -> str:
    soup = BeautifulSoup(page(client), "html.parser")
    return soup.find("section", class_="headline").find("strong").get_text()


def settings_form(html: str) -> dict:
    """What a browser would send from the settings form as the page shows it."""
    soup = BeautifulSoup(html, "html.parser")
    form = soup.find("form", class_="settings")
    data = {}
    for field in form.find_all("input"):
        if field.get("type") == "checkbox":
            if field.has_attr("checked"):
                data[field["name"]] = "on"
        else:
            data[field["name"]] = field.get("value", "")
    return data


def stored_settings(app) -> dict:
    return preferences.load(db_of(app))


def defaults() -> dict:
    return {key: s.default for key, s in preferences.SETTINGS.items()}


def save_failed(app, payload: str, capture_id="cap-old", days_ago=2):
    store.save_capture(
        db_of(app),
        capture_id=capture_id,
        captured_at=moment(days_ago, 9),
        url=SSI_URL,
        kind="html",
        payload=payload,
        reading=None,
        error=ParseError("unrecognized", "old parser"),
    )


@pytest.fixture
def history(app, tmp_path):
    """Five weeks of readings: the user's SSI climbs, people is the weakest pillar."""
    rows = [
        reading(93, 12.0, 6.0, 9.0, 13.0, industry_rank=25, network_rank=30),
        reading(33, 12.5, 7.0, 9.5, 13.0, industry_rank=18, network_rank=24),
        reading(10, 13.0, 7.5, 10.0, 13.5, industry_rank=16, network_rank=22),
        reading(3, 14.5, 8.14, 10.0, 14.0, industry_rank=15, network_rank=25),
    ]
    import_rows(app, tmp_path, rows)
    return rows


# -- empty state -----------------------------------------------------------------------------


def test_a_new_user_is_told_how_to_get_a_first_reading(client):
    html = page(client)
    text = text_of(html)
    assert "No readings yet" in text
    assert "chrome://extensions" in text and "Load unpacked" in text  # load the extension
    assert "Pair with the companion" in text and 'href="/pairing"' in html  # pair it
    assert "linkedin.com/sales/ssi" in text  # open the SSI page
    assert "ssi-companion serve --demo" in text
    assert "/export.csv" not in html and "History" not in text


# -- headline, pillars, ranks ----------------------------------------------------------------


def test_headline_shows_the_displayed_and_precise_total_changes_and_freshness(client, history):
    text = text_of(page(client))
    # 14.5 + 8.14 + 10 + 14 = 46.64; LinkedIn shows 47.
    assert "Your SSI: 47 / 100 (46.64 precisely)" in text
    # Each change names the reading it compares with, not the window that picked it.
    assert f"+2.6 since {shown_day(10)}" in text  # 46.64 - 44.0
    assert f"+4.6 since {shown_day(33)}" in text  # 46.64 - 42.0
    assert f"+6.6 since {shown_day(93)}" in text  # 46.64 - 40.0
    assert " in 7 days" not in text and " in 30 days" not in text
    assert "3 days ago: visit the SSI page to update" in text
    assert f"Captured {shown_day(3)} at 12:00" in text


def test_a_change_without_a_reading_near_enough_is_left_out(client, app, tmp_path):
    import_rows(app, tmp_path, [reading(35, 10, 10, 10, 10), reading(0, 11, 10, 10, 10)])
    soup = BeautifulSoup(page(client), "html.parser")
    changes = [li.get_text(strip=True) for li in soup.select("ul.changes li")]
    assert changes == [f"+1.0 since {shown_day(35)}"]
    assert "–" not in soup.find("section", class_="headline").get_text()
    assert freshness_shown(client) == "today"


def test_one_reading_shows_no_change_no_verdict_and_no_empty_charts(client, app, tmp_path):
    import_rows(app, tmp_path, [reading(0, 10, 10, 10, 10)])
    deadline = (today() + timedelta(days=60)).isoformat()
    preferences.set_values(db_of(app), {"goal_score": "60", "goal_date": deadline})
    html = page(client)
    soup = BeautifulSoup(html, "html.parser")
    text = text_of(html)
    assert "Your SSI: 40 / 100" in text
    assert soup.select("ul.changes") == [] and " since " not in soup.select_one(".headline").text
    assert (
        "in 7 days" not in text and "in 30 days" not in text and "–" not in text.split("History")[0]
    )
    assert "1 day with a reading." in text and "1 days" not in text
    assert "has not been rising" not in text and "you reach it on" not in text
    assert "once you have 7 readings over at least 14 days" in text
    assert "The charts' lines start with your second visit to the SSI page" in text
    assert soup.find_all("img", class_="chart") == []
    assert "Since " not in soup.find("table", class_="pillars").get_text()


def test_pillars_out_of_25_with_week_change_reach_and_gaps(client, history):
    html = page(client)
    soup = BeautifulSoup(html, "html.parser")
    rows = {
        tr.th.get_text(strip=True): [td.get_text(" ", strip=True) for td in tr.find_all("td")]
        for tr in soup.find("table", class_="pillars").tbody.find_all("tr")
    }
    header = [th.get_text(strip=True) for th in soup.find("table", class_="pillars").thead("th")]
    assert header == ["Pillar", "Score / 25", f"Since {shown_day(10)}", "Within reach"]
    assert rows[PILLAR_NAMES["brand"]] == ["14.50", "+1.50", "10.5 points"]
    assert rows[PILLAR_NAMES["people"]] == ["8.14", "+0.64", "16.9 points"]
    assert rows[PILLAR_NAMES["insights"]] == ["10.00", "±0", "15.0 points"]
    assert rows[PILLAR_NAMES["relationships"]] == ["14.00", "+0.50", "11.0 points"]
    bars = {m.find_parent("tr").th.get_text(strip=True): m["value"] for m in soup("meter")}
    assert bars[PILLAR_NAMES["people"]] == "8.14", "a bar out of 25 beside each score"
    text = text_of(html)
    assert f"{PILLAR_NAMES['people']} holds the most points within reach (16.9 of 25" in text
    assert "15.6 points above the industry average (31)" in text
    assert "11.6 points above the network average (35)" in text


def test_a_gap_is_shown_against_the_average_it_was_computed_from(client, app, tmp_path):
    # 47.3 - 28.4 = 18.9: the page must not say "(28)" beside it.
    import_rows(app, tmp_path, [reading(0, 12.3, 12, 12, 11, industry_avg=28.4)])
    text = text_of(page(client))
    assert "18.9 points above the industry average (28.4)" in text
    assert "Industry average SSI 28.4" in text


def test_ranks_with_trend_industry_and_averages(client, history):
    text = text_of(page(client))
    # Compared with the reading of 33 days ago, which stands for "a month ago".
    assert (
        f"Industry rank: Top 15% (up from Top 18% on {shown_day(33)}) Industry average SSI 31"
        in text
    )
    assert (
        f"Network rank: Top 25% (down from Top 24% on {shown_day(33)}) Network average SSI 35"
        in text
    )
    assert "Your industry: Software Development" in text
    assert "Your industry changed" not in text


def test_unknown_ranks_and_averages_are_said_so(client, app, tmp_path):
    row = reading(0, 10, 10, 10, 10, industry_rank="", network_rank="", industry_avg="")
    import_rows(app, tmp_path, [row | {"network_avg": "", "industry": ""}])
    text = text_of(page(client))
    assert "Industry rank: not shown" in text and "Network rank: not shown" in text
    assert "average" not in text


def test_an_industry_change_is_noted(client, app, tmp_path):
    import_rows(
        app,
        tmp_path,
        [reading(5, 10, 10, 10, 10), reading(1, 10, 10, 10, 11, industry="Financial Services")],
    )
    text = text_of(page(client))
    assert "Your industry: Financial Services" in text
    assert (
        "Your industry changed from Software Development to Financial Services on "
        f"{shown_day(1)}" in text
    )


# -- advice and goal -------------------------------------------------------------------------


def test_advice_for_the_weakest_pillar(client, history):
    text = text_of(page(client))
    assert f"Your weakest pillar is {PILLAR_NAMES['people']} (8.1 / 25)" in text
    for tip in TIPS["people"]:
        assert tip in text
    assert TIPS["brand"][0] not in text


def test_no_goal_section_without_a_goal(client, history):
    assert "Goal:" not in text_of(page(client))


def test_goal_progress_and_projection(client, app, tmp_path):
    # +0.2 a day for 30 days, ending at 46.0: 50 is 20 days away.
    rows = [reading(n, 10, 10, 10, 16 - 0.2 * n) for n in range(30, -1, -1)]
    import_rows(app, tmp_path, rows)
    deadline = (today() + timedelta(days=100)).isoformat()
    preferences.set_values(db_of(app), {"goal_score": "50", "goal_date": deadline})
    text = text_of(page(client))
    assert f"Goal: SSI 50 by {shown_day(-100)}" in text
    assert "92% of the way" in text
    assert f"you reach it on {shown_day(-20)}." in text


def test_goal_too_late_and_goal_reached(client, app, tmp_path):
    rows = [reading(n, 10, 10, 10, 16 - 0.2 * n) for n in range(30, -1, -1)]
    import_rows(app, tmp_path, rows)
    soon = (today() + timedelta(days=7)).isoformat()
    preferences.set_values(db_of(app), {"goal_score": "50", "goal_date": soon})
    text = text_of(page(client))
    assert "too late: gain about 4.0 points a week to make it" in text
    preferences.set_values(db_of(app), {"goal_score": "40"})
    text = text_of(page(client))
    assert "100% of the way. Reached: well done." in text


# -- reminders -------------------------------------------------------------------------------


def test_reminders_inbox_and_next_check(client, app, history):
    text = text_of(page(client))
    assert "No reminders yet." in text
    assert "Scheduled checks run while ssi-companion serve runs." in text
    store.claim_notification(
        db_of(app),
        {
            "key": "stale:1",
            "kind": "stale",
            "title": "Time to look at your SSI",
            "body": "No capture for 8 days.",
            "link": SSI_URL,
            "status": "inbox",
        },
    )

    class Reminders:
        def next_check(self):
            return datetime(2030, 1, 7, 9, 30)

    app.extensions["reminders"] = Reminders()
    text = text_of(page(client))
    assert "Time to look at your SSI" in text and "No capture for 8 days." in text
    assert "not shown on the desktop" in text
    assert "Next scheduled check: Monday 7 Jan 2030 at 09:30." in text


# -- charts on the page ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "query, key, label",
    [
        ("", "90d", "90 days"),
        ("?range=30d", "30d", "30 days"),
        ("?range=90d", "90d", "90 days"),
        ("?range=1y", "1y", "A year"),
        ("?range=all", "all", "All"),
        ("?range=5y", "90d", "90 days"),
        ("?range=%3Cb%3E", "90d", "90 days"),
    ],
)
def test_range_picker_chooses_the_charts_range(client, history, query, key, label):
    soup = BeautifulSoup(page(client, "/" + query), "html.parser")
    charts = [img["src"] for img in soup.find_all("img", class_="chart")]
    assert charts == [f"/charts/{name}.svg?range={key}" for name in ("ssi", "pillars", "ranks")]
    current = soup.select("nav.ranges a[aria-current]")
    assert [a.get_text(strip=True) for a in current] == [label]
    assert [a.get_text(strip=True) for a in soup.select("nav.ranges a")] == [
        "30 days",
        "90 days",
        "A year",
        "All",
    ]


@pytest.mark.parametrize("key, dates", [("30d", 2), ("90d", 3), ("all", 4)])
def test_the_charts_data_table_holds_the_days_of_the_range(client, history, key, dates):
    soup = BeautifulSoup(page(client, f"/?range={key}"), "html.parser")
    table = soup.find("details").find("table")
    shown = [tr.td.time["datetime"] for tr in table.tbody.find_all("tr")]
    assert shown == [r["captured_at"][:10] for r in history][-dates:]
    assert all(img.get("alt") for img in soup.find_all("img", class_="chart"))
    ranks = [td.get_text() for td in table.tbody.find_all("tr")[-1].find_all("td")[-2:]]
    assert ranks == ["Top 15%", "Top 25%"]


def test_recalibration_days_are_named(client, app, tmp_path):
    rows = [
        reading(3, 10, 10, 10, 10, industry_rank=15, network_rank=20),
        reading(2, 9, 9, 9, 9, industry_rank=15, network_rank=20),
        reading(1, 9.5, 9, 9, 9, industry_rank=14, network_rank=20),
    ]
    import_rows(app, tmp_path, rows)
    text = text_of(page(client, "/?range=30d"))
    # 40 -> 36 overnight, all four down, ranks held; the next day the industry rank moved.
    assert (
        f"LinkedIn seems to have recalibrated the SSI on 1 day in this range: {shown_day(2)}."
        in text
    )
    assert "The SSI chart marks each one." in text


def test_a_steady_ten_year_climb_shows_no_recalibration(client, app, tmp_path):
    # Every pillar 0.002 higher each day, ranks held: the user's own progress, every day.
    rows = [
        reading(n, *(10 + 0.002 * (3650 - n),) * 4, industry_rank=15, network_rank=20)
        for n in range(3650, -1, -1)
    ]
    import_rows(app, tmp_path, rows)
    text = text_of(page(client, "/?range=all"))
    assert "recalibrated" not in text


def test_many_recalibrations_name_the_last_three_with_the_count(client, app, tmp_path):
    # Five overnight falls of 2.5 points with ranks held, each kept on the days after it.
    falls = (50, 40, 30, 20, 10)
    rows = []
    for n in range(60, -1, -1):
        level = 10 - 0.625 * sum(n <= f for f in falls)
        rows.append(reading(n, level, level, level, level))
    import_rows(app, tmp_path, rows)
    text = text_of(page(client, "/?range=90d"))
    assert (
        "LinkedIn seems to have recalibrated the SSI on 5 days in this range, most recently "
        f"{shown_day(10)}, {shown_day(20)} and {shown_day(30)}." in text
    )
    assert shown_day(50) not in text.split("The charts' data")[0]


@pytest.mark.parametrize("name", ["ssi", "ranks"])
@pytest.mark.parametrize("key", ["30d", "90d", "1y", "all", "bogus"])
def test_chart_for_each_range_is_an_svg_without_script(client, app, name, key):
    demo.fill(db_of(app), today())
    response = get(client, f"/charts/{name}.svg?range={key}")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    svg = response.get_data(as_text=True)
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert "<script" not in svg.lower()
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]


def test_chart_of_an_empty_history_still_renders(client):
    response = get(client, "/charts/ssi.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert "No readings in this range" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/charts/pie.svg", "/charts/.svg", "/charts/scores.png"])
def test_unknown_chart_is_404(client, path):
    assert get(client, path).status_code == 404


# -- history and export ----------------------------------------------------------------------


@pytest.fixture
def demo_year(app):
    count = demo.fill(db_of(app), today())
    daily = store.daily_readings(db_of(app))
    assert len(daily) == count
    return daily


def history_dates(html: str) -> list[str]:
    soup = BeautifulSoup(html, "html.parser")
    rows = soup.find("table", class_="history").tbody.find_all("tr")
    return [tr.td.time["datetime"] for tr in rows]


def test_history_table_says_ranks_as_linkedin_does(client, history):
    soup = BeautifulSoup(page(client), "html.parser")
    table = soup.find("table", class_="history")
    assert [th.get_text() for th in table.thead("th")][-2:] == ["Industry rank", "Network rank"]
    newest = [td.get_text() for td in table.tbody.tr("td")]
    assert newest[0] == shown_day(3)
    assert newest[-2:] == ["Top 15%", "Top 25%"]


def test_history_is_paginated_30_a_page_newest_first(client, demo_year):
    pages = -(-len(demo_year) // 30)
    newest_first = [r["date"] for r in reversed(demo_year)]
    first = page(client)
    assert f"{len(demo_year)} days with a reading." in text_of(first)
    assert history_dates(first) == newest_first[:30]
    assert f"Page 1 of {pages}" in text_of(first)
    assert 'rel="prev"' not in first and "page=2" in first
    second = page(client, "/?page=2")
    assert history_dates(second) == newest_first[30:60]
    assert f"Page 2 of {pages}" in text_of(second)
    assert 'rel="prev"' in second and 'rel="next"' in second
    last = page(client, f"/?page={pages}")
    assert history_dates(last) == newest_first[(pages - 1) * 30 :]
    assert 'rel="next"' not in last


@pytest.mark.parametrize("value", ["0", "-1", "abc", "", "1.5", "٣", "99999999999"])
def test_a_page_number_that_is_not_a_page_shows_the_first(client, demo_year, value):
    html = page(client, f"/?page={value}")
    assert history_dates(html)[0] == demo_year[-1]["date"]


def test_a_page_past_the_end_shows_the_last(client, demo_year):
    pages = -(-len(demo_year) // 30)
    assert f"Page {pages} of {pages}" in text_of(page(client, "/?page=500"))


def test_history_page_keeps_the_chart_range(client, demo_year):
    assert "/?page=2&amp;range=30d" in page(client, "/?range=30d")


@pytest.mark.parametrize(
    "fmt, mimetype, export",
    [("csv", "text/csv", export_csv), ("json", "application/json", export_json)],
)
def test_exports_are_the_cli_formats_byte_for_byte(client, app, demo_year, fmt, mimetype, export):
    html = page(client)
    assert f'href="/export.{fmt}"' in html
    response = get(client, f"/export.{fmt}")
    assert response.status_code == 200
    assert response.mimetype == mimetype
    assert response.headers["Content-Disposition"] == f'attachment; filename="ssi-readings.{fmt}"'
    assert response.data == export(store.list_readings(db_of(app))).encode("utf-8")


def test_export_json_lists_every_reading(client, demo_year):
    rows = json.loads(get(client, "/export.json").data)["readings"]
    assert len(rows) == len(demo_year)
    assert list(rows[0]) == list(EXPORT_COLUMNS)


def test_export_csv_imports_back_into_the_same_history(client, demo_year, tmp_path):
    from companion.web import create_app

    exported = get(client, "/export.csv").data
    (tmp_path / "back.csv").write_bytes(exported)
    other = create_app({"HOME": str(tmp_path / "other"), "TESTING": True})
    import_file(db_of(other), tmp_path / "back.csv")
    reader = other.test_client()
    sign_in(other, reader)
    assert reader.get("/export.csv").data == exported


@pytest.mark.parametrize("path", ["/export.xml", "/export.", "/export.CSV"])
def test_unknown_export_format_is_404(client, path):
    assert get(client, path).status_code == 404


# -- failed captures and "read again" --------------------------------------------------------


def test_a_failed_capture_is_listed_with_its_reason_and_a_read_again_form(client, app):
    received = receive(
        db_of(app),
        capture_id="cap-login",
        captured_at=moment(1, 8),
        url="https://www.linkedin.com/login",
        kind="html",
        payload=(DATA / "login.html").read_text(),
    )
    assert received.capture["status"] == "failed"
    html = page(client)
    soup = BeautifulSoup(html, "html.parser")
    item = soup.select_one("#failed ul.failed li#capture-cap-login")
    # In plain words: what happened, the parser's message, and what to do; never its code.
    assert "Not the SSI page." in item.get_text()
    assert received.capture["error_message"] in item.get_text()
    assert "Open linkedin.com/sales/ssi while signed in to LinkedIn" in item.get_text()
    assert received.capture["error_code"] not in item.get_text()
    assert f"{shown_day(1)} at 08:00" in item.get_text()
    form = item.find("form")
    assert form["method"] == "post"
    assert form["action"] == "/captures/cap-login/read-again"
    assert form.find("input", attrs={"name": "csrf_token"})["value"]


def test_when_every_capture_was_refused_the_page_says_so_and_why(client, app):
    for capture_id, days_ago, page_file in (("cap-a", 2, "login.html"), ("cap-b", 1, "login.html")):
        receive(
            db_of(app),
            capture_id=capture_id,
            captured_at=moment(days_ago, 8),
            url="https://www.linkedin.com/login",
            kind="html",
            payload=(DATA / page_file).read_text(),
        )
    message = store.get_capture(db_of(app), "cap-a")["error_message"]
    html = page(client)
    soup = BeautifulSoup(html, "html.parser")
    text = text_of(html)
    assert "None of your captures could be read yet" in text
    assert "The extension sent 2 captures, and the companion could not read any of them" in text
    assert "No readings yet" not in text and "chrome://extensions" not in text
    items = soup.select("#failed ul.failed li")
    assert [li["id"] for li in items] == ["capture-cap-b", "capture-cap-a"]  # newest first
    for item in items:
        assert "Not the SSI page." in item.get_text() and message in item.get_text()
        assert "Open linkedin.com/sales/ssi" in item.get_text()
        assert item.find("button").get_text() == "Read again"
    assert "ssi-companion doctor" in text
    assert len(soup.select("ul.failed")) == 1, "listed once, not again at the bottom"


def test_fewer_than_two_readings_in_the_range_draw_no_empty_chart(client, app, tmp_path):
    import_rows(app, tmp_path, [reading(60, 10, 10, 10, 10), reading(1, 11, 10, 10, 10)])
    soup = BeautifulSoup(page(client, "/?range=30d"), "html.parser")
    assert soup.find_all("img", class_="chart") == []
    assert "Fewer than two readings fall in this range" in soup.get_text()
    assert (
        len(BeautifulSoup(page(client, "/?range=90d"), "html.parser")("img", class_="chart")) == 3
    )


def test_read_again_recovers_a_capture_the_current_parser_reads(client, app):
    save_failed(app, (DATA / "current_en.html").read_text())
    assert "None of your captures could be read yet" in text_of(page(client))
    response = post(client, "/captures/cap-old/read-again", {"csrf_token": csrf(client, "/")})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/#capture-cap-old")
    capture = store.get_capture(db_of(app), "cap-old")
    assert capture["status"] == "ok" and capture["error_code"] is None
    assert store.get_reading(db_of(app), "cap-old")["total_displayed"] == 20
    html = page(client)
    soup = BeautifulSoup(html, "html.parser")
    text = text_of(html)
    assert "Your SSI: 20 / 100 (19.71 precisely)" in text
    assert "Industry rank: Top 75%" in text
    # The result is beside the capture it concerns, where the redirect lands, not at the top.
    beside = soup.select_one("#failed li#capture-cap-old .result").get_text()
    assert beside == f"Read again: the capture of {shown_day(2)} is now a reading (SSI 19.71)."
    assert soup.select(".flash") == []
    assert soup.select_one("#capture-cap-old form") is None, "nothing left to read again"
    # Said once: the next visit lists no failed capture at all.
    assert 'id="failed"' not in page(client)


def test_read_again_of_a_still_unreadable_page_keeps_it_failed(client, app):
    save_failed(app, (DATA / "login.html").read_text())
    save_failed(app, (DATA / "login.html").read_text(), capture_id="cap-other", days_ago=3)
    response = post(client, "/captures/cap-old/read-again", {"csrf_token": csrf(client)})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/#capture-cap-old")
    capture = store.get_capture(db_of(app), "cap-old")
    assert capture["status"] == "failed"
    assert capture["error_code"] != "unrecognized", "the current parser's reason replaces the old"
    soup = BeautifulSoup(page(client), "html.parser")
    result = soup.select_one("li#capture-cap-old .result")
    assert result.get_text() == f"Still unreadable: {capture['error_message']}"
    assert soup.select_one("li#capture-cap-other .result") is None, "only beside its own capture"
    assert store.counts(db_of(app))["readings"] == 0


@pytest.mark.parametrize("capture_id", ["no-such-capture", "demo-ok"])
def test_read_again_of_a_capture_that_is_not_failed_says_so(client, app, capture_id):
    if capture_id == "demo-ok":
        receive(
            db_of(app),
            capture_id="demo-ok",
            captured_at=moment(1),
            url=SSI_URL,
            kind="html",
            payload=(DATA / "current_en.html").read_text(),
        )
    response = post(client, f"/captures/{capture_id}/read-again", {"csrf_token": csrf(client)})
    assert response.status_code == 303
    assert "That capture cannot be read again" in text_of(page(client))


@pytest.mark.parametrize(
    "headers, csrf_value",
    [
        ({"Origin": "https://evil.example", "Host": f"127.0.0.1:{PORT}"}, None),
        ({"Origin": EXT, "Host": f"127.0.0.1:{PORT}"}, None),
        ({"Host": f"127.0.0.1:{PORT}"}, None),
        ({"Origin": "null", "Host": f"127.0.0.1:{PORT}", "Sec-Fetch-Site": "cross-site"}, None),
        (OWN, ""),
        (OWN, "0" * 64),
    ],
    ids=["foreign-origin", "extension", "no-origin", "null-cross-site", "no-csrf", "bad-csrf"],
)
def test_read_again_needs_the_page_and_its_csrf_token(client, app, headers, csrf_value):
    save_failed(app, (DATA / "current_en.html").read_text())
    token_value = csrf(client) if csrf_value is None else csrf_value
    response = post(
        client, "/captures/cap-old/read-again", {"csrf_token": token_value}, headers=headers
    )
    assert response.status_code == 403
    assert store.get_capture(db_of(app), "cap-old")["status"] == "failed"
    assert store.counts(db_of(app))["readings"] == 0


def test_read_again_is_never_a_get(client, app):
    save_failed(app, (DATA / "current_en.html").read_text())
    assert get(client, "/captures/cap-old/read-again").status_code == 405
    assert store.get_capture(db_of(app), "cap-old")["status"] == "failed"


# -- the demo year ---------------------------------------------------------------------------


def test_the_demo_year_renders_every_section(client, demo_year):
    html = page(client, "/?range=all")
    text = text_of(html)
    latest = demo_year[-1]
    assert f"Your SSI: {latest['total_displayed']} / 100 ({latest['total']:.2f} precisely)" in text
    assert freshness_shown(client) == "today"
    assert "Your industry: Management Consulting" in text
    assert "LinkedIn seems to have recalibrated the SSI on 1 day in this range" in text
    assert "Captures that could not be read" in text and "Read again" in text
    assert "What to do this week" in text
    assert len(history_dates(html)) == 30
    for name in ("ssi", "ranks"):
        assert get(client, f"/charts/{name}.svg?range=all").status_code == 200


# -- qualities: escaping, no script, headers -------------------------------------------------

EVIL = "<script>alert(1)</script>"


def test_an_industry_name_from_a_page_is_escaped(client, app, tmp_path):
    import_rows(
        app,
        tmp_path,
        [reading(3, 10, 10, 10, 10), reading(1, 10, 10, 10, 11, industry=EVIL)],
    )
    html = page(client)
    assert EVIL not in html
    assert "<script" not in html.lower()
    assert "Your industry: &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "to &lt;script&gt;alert(1)&lt;/script&gt; on" in html  # the industry change note


def test_a_failed_capture_reason_is_escaped(client, app):
    store.save_capture(
        db_of(app),
        capture_id="cap-evil",
        captured_at=moment(1),
        url=SSI_URL,
        kind="html",
        payload="<p>x</p>",
        reading=None,
        error=ParseError("unrecognized", EVIL),
    )
    html = page(client)
    assert EVIL not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize("path", ["/", "/?range=all", "/?page=2", "/settings"])
def test_pages_work_without_javascript_and_carry_security_headers(client, app, path):
    demo.fill(db_of(app), today())
    response = get(client, path)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<script" not in html.lower()
    assert not re.search(r"\son[a-z]+\s*=", html), "no inline event handlers"
    assert response.headers["Content-Security-Policy"] == CSP
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"


def test_every_form_is_a_post_with_a_csrf_token(client, app):
    demo.fill(db_of(app), today())
    for path in ("/", "/settings"):
        forms = BeautifulSoup(page(client, path), "html.parser").find_all("form")
        assert forms
        for form in forms:
            assert form["method"] == "post"
            assert form.find("input", attrs={"name": "csrf_token"})["value"]


# -- settings page (the form itself: test_settings_page.py) ----------------------------------


def test_the_token_is_shown_when_asked_with_a_post(client, app):
    response = post(client, "/settings/token")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'value="{token.get(app.config["DATA_DIR"])}"' in html
    assert response.headers["Cache-Control"] == "no-store"
    assert token.get(app.config["DATA_DIR"]) not in page(client, "/settings")


@pytest.mark.parametrize(
    "headers, csrf_value",
    [
        ({"Origin": "https://evil.example", "Host": f"127.0.0.1:{PORT}"}, None),
        ({"Host": f"127.0.0.1:{PORT}"}, None),
        ({"Origin": "null", "Host": f"127.0.0.1:{PORT}"}, None),
        (OWN, ""),
        (OWN, "f" * 64),
    ],
    ids=["foreign-origin", "no-origin", "null-without-fetch-site", "no-csrf", "bad-csrf"],
)
def test_the_token_is_never_shown_to_another_page(client, app, headers, csrf_value):
    value = csrf(client) if csrf_value is None else csrf_value
    response = post(client, "/settings/token", {"csrf_token": value}, headers=headers)
    assert response.status_code == 403
    assert token.get(app.config["DATA_DIR"]) not in response.get_data(as_text=True)


def test_the_token_is_never_shown_by_a_get(client):
    assert get(client, "/settings/token").status_code == 405


def test_a_saved_goal_appears_on_the_summary(client, app, history):
    # The settings form itself is tested in test_settings_page.py.
    preferences.set_values(db_of(app), {"goal_score": "55", "goal_date": "2030-01-01"})
    assert "Goal: SSI 55 by 1 Jan 2030" in text_of(page(client))


def test_a_refused_form_keeps_the_other_values_that_were_typed(client, app):
    # The user should not have to type their valid changes again after fixing one field.
    form = settings_form(page(client, "/settings")) | {"stale_days": "3", "goal_score": "lots"}
    del form["rule_weekly"]
    response = post(client, "/settings", form)
    assert response.status_code == 400
    shown = settings_form(response.get_data(as_text=True))
    assert shown["goal_score"] == "lots"
    assert shown["stale_days"] == "3"
    assert "rule_weekly" not in shown


def test_a_typed_value_is_escaped_when_shown_back(client, app):
    form = settings_form(page(client, "/settings")) | {"goal_score": '"><script>alert(1)</script>'}
    response = post(client, "/settings", form)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "<script" not in html.lower()
    assert stored_settings(app) == defaults()


def test_settings_page_announces_a_pairing_request(client):
    started = client.post("/api/v1/pairing", json={"challenge": "0" * 64}, headers={"Origin": EXT})
    assert started.status_code == 201
    text = text_of(page(client, "/settings"))
    assert "1 extension asks to pair: review the request" in text
    assert "1 browser extension asks to pair." in text_of(page(client, "/"))


def test_the_recalibration_note_names_only_days_the_shown_chart_marks(client, app, tmp_path):
    # A recalibration 60 days ago is outside the 30-day chart: the page must not say it is marked.
    rows = [
        reading(61, 10, 10, 10, 10, industry_rank=15, network_rank=20),
        reading(60, 9, 9, 9, 9, industry_rank=15, network_rank=20),
        reading(5, 10, 10, 10, 10, industry_rank=14, network_rank=19),
        reading(1, 10, 10, 10, 11, industry_rank=13, network_rank=19),
    ]
    import_rows(app, tmp_path, rows)
    recalibration = shown_day(60)

    def note(range_key: str) -> str:
        # The note's own sentence: the history table below lists every day anyway.
        text = text_of(page(client, f"/?range={range_key}"))
        start = text.find("LinkedIn seems to have recalibrated the SSI on")
        return "" if start < 0 else text[start : text.find(".", start + 60) + 1]

    assert recalibration in note("90d")
    assert recalibration not in note("30d")
