"""The chart images as the page fetches them: /charts/<name>.svg through the real app and a
real SQLite file, with the user's settings and readings as the companion stores them."""

import re
from datetime import datetime, time, timedelta

import pytest

from companion import store
from companion.ingest.imports import import_file
from companion.store import preferences
from tests.builders import reading, write_csv

BASE = "http://127.0.0.1:47613"
NAMES = ("ssi", "pillars", "ranks")


def today():
    return datetime.now().astimezone().date()


def moment(days_ago: int) -> str:
    return datetime.combine(today() - timedelta(days=days_ago), time(12)).astimezone().isoformat()


def day_text(days_ago: int) -> str:
    then = today() - timedelta(days=days_ago)
    return f"{then.day} {then:%b} {then.year}"


def db_of(app):
    return store.connect(app.config["DATA_DIR"])


def import_rows(app, tmp_path, rows, name="rows.csv"):
    result = import_file(db_of(app), write_csv(tmp_path / name, rows))
    assert result.refused is None, result.refused


def climb(days: int, start: float = 30.0, per_day: float = 0.004) -> list[dict]:
    """A reading a day, every pillar a little higher each day, ranks held: no recalibration."""
    rows = []
    for n in range(days, 0, -1):
        pillar = round((start + (days - n) * per_day) / 4, 4)
        rows.append(
            reading(
                moment(n - 1), brand=pillar, people=pillar, insights=pillar, relationships=pillar
            )
        )
    return rows


def image(client, name, query="") -> str:
    response = client.get(f"/charts/{name}.svg{query}", base_url=BASE)
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "image/svg+xml"
    return response.get_data(as_text=True)


@pytest.fixture
def month(app, tmp_path):
    import_rows(app, tmp_path, climb(31))


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(
    "query", ["", "?range=30d", "?range=all", "?range=bogus&width=360", "?width=%3Cb%3E"]
)
def test_every_chart_is_an_svg_image_that_runs_nothing(client, month, name, query):
    response = client.get(f"/charts/{name}.svg{query}", base_url=BASE)
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    svg = response.get_data(as_text=True)
    assert svg.startswith("<?xml") and "<script" not in svg.lower()
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "path", ["/charts/pie.svg", "/charts/.svg", "/charts/ssi.png", "/charts/scores.svg"]
)
def test_an_unknown_chart_is_404(client, path):
    assert client.get(path, base_url=BASE).status_code == 404


def test_the_charts_need_a_signed_in_browser(anonymous, month):
    assert anonymous.get("/charts/ssi.svg", base_url=BASE).status_code != 200


def test_a_narrow_width_draws_the_narrow_layout_with_fewer_date_labels(client, month):
    wide, narrow = image(client, "ssi"), image(client, "ssi", "?width=360")
    assert 'viewBox="0 0 800 ' in wide and 'viewBox="0 0 400 ' in narrow
    labels = [
        len(re.findall(r'<g class="guides"><path d="M[\d.]+ 0\.0+ v', svg))
        for svg in (wide, narrow)
    ]
    assert 0 < labels[1] < labels[0] and labels[1] <= 4


def test_the_goal_set_in_the_settings_is_drawn_on_the_ssi_chart(client, app, month):
    assert "Your goal" not in image(client, "ssi")
    preferences.set_value(db_of(app), "goal_score", "65")
    assert "Your goal (65)" in image(client, "ssi")
    assert "Your goal" not in image(client, "pillars") + image(client, "ranks")


def test_the_recalibration_setting_decides_which_jumps_are_marked(client, app, tmp_path):
    rows = climb(20)
    # Eight days ago every pillar rose by 0.375 (the total by 1.5) while the ranks held.
    for r in rows[-8:]:
        for pillar in ("brand", "people", "insights", "relationships"):
            r[pillar] = round(r[pillar] + 0.375, 4)
        r["total"] = round(r["brand"] * 4, 4)
        r["total_displayed"] = round(r["total"])
    import_rows(app, tmp_path, rows)
    assert "<circle" not in image(client, "ssi", "?range=30d"), "1.5 is under the default 2"
    preferences.set_value(db_of(app), "recalibration_points", "1")
    svg = image(client, "ssi", "?range=30d")
    assert svg.count("<circle") == 1 and "Likely LinkedIn recalibration" in svg
    assert day_text(7) in svg


def test_a_new_reading_is_drawn_at_once(client, app, tmp_path, month):
    before = image(client, "ssi", "?range=30d")
    assert "Industry average (35)" in before
    import_rows(
        app, tmp_path, [reading(moment(0).replace("T12", "T18"), industry_avg=41.5)], "new.csv"
    )
    assert "Industry average (41.5)" in image(client, "ssi", "?range=30d")


def test_with_no_reading_each_chart_says_so(client):
    for name in NAMES:
        svg = image(client, name)
        assert "No readings in this range." in svg and "1970" not in svg


def test_with_one_reading_the_charts_say_the_lines_start_with_the_second_visit(
    client, app, tmp_path
):
    import_rows(app, tmp_path, [reading(moment(0))])
    for name in NAMES:
        assert "The line starts with your second visit." in image(client, name)


def test_ten_years_of_readings_draw_small_images_without_a_dot_per_day(client, app, tmp_path):
    import_rows(app, tmp_path, climb(3653))
    for name in NAMES:
        svg = image(client, name, "?range=all")
        assert len(svg.encode()) < 60_000, (name, len(svg.encode()))
        assert "<circle" not in svg
        assert ">1970<" not in svg and "Jan 1970" not in svg and ">2020<" in svg
