"""The JSON API under /api/v1: every endpoint, its answers and its errors."""

import json
import threading
from datetime import timedelta

import pytest

from companion import __version__, store
from companion.parse import parse_api, parse_page
from companion.reading import READING_FIELDS
from companion.web import create_app
from tests.helpers_api import (
    CURRENT_EN,
    DOM_2023_EN,
    LOGIN,
    REAL_API,
    SKELETON,
    SSI_URL,
    auth,
    capture_body,
    counts,
    post_json,
)

READING_KEYS = {"capture_id", "captured_at", "date", *READING_FIELDS}
CHANGE_KEYS = {"total", "brand", "people", "insights", "relationships"}
CAPTURE_KEYS = {
    "id",
    "received_at",
    "captured_at",
    "url",
    "kind",
    "status",
    "error_code",
    "error_message",
    "payload_size",
    "payload_kept",
}
CURRENT_EN_VALUES = {
    "total": 19.706,
    "total_displayed": 20,
    "brand": 13.118,
    "people": 3.68,
    "insights": 0.3,
    "relationships": 2.608,
    "industry_rank": 75,
    "network_rank": 81,
    "industry_avg": 31.0,
    "network_avg": 33.0,
    "industry": "IT Services and IT Consulting",
    "source": "dom_current",
}
DOM_2023_VALUES = parse_page(DOM_2023_EN, url=SSI_URL).to_dict()


@pytest.fixture
def data_dir(app):
    return app.config["DATA_DIR"]


@pytest.fixture
def api(client, data_dir):
    """Authorised calls: api.post(body) / api.get(path)."""

    class Api:
        headers = auth(data_dir)

        def post(self, body):
            return client.post("/api/v1/captures", json=body, headers=self.headers)

        def post_raw(self, data: str):
            return client.post(
                "/api/v1/captures", data=data, content_type="application/json", headers=self.headers
            )

        def get(self, path):
            return client.get(f"/api/v1{path}", headers=self.headers)

        def ok(self, path):
            response = self.get(path)
            assert response.status_code == 200, response.get_data(as_text=True)
            return response.get_json()

    return Api()


def at(moment: str, html: str = CURRENT_EN, **changes) -> dict:
    return capture_body(captured_at=moment, html=html, **changes)


# -- POST /captures -------------------------------------------------------------------------------


def test_ping_answers_without_a_token(client):
    response = client.get("/api/v1/ping")
    assert response.status_code == 200
    assert response.get_json() == {"app": "ssi-companion", "version": __version__, "api": 1}


def test_capture_is_stored_and_read_201(api, data_dir):
    assert CURRENT_EN_VALUES == parse_page(CURRENT_EN, url=SSI_URL).to_dict()
    body = at("2026-11-26T10:00:00+01:00")
    response = api.post(body)
    assert response.status_code == 201
    result = response.get_json()
    assert set(result) == {"capture", "reading", "previous", "change"}

    capture = result["capture"]
    assert CAPTURE_KEYS <= set(capture)
    assert "payload" not in capture
    assert capture["id"] == body["id"]
    assert capture["captured_at"] == "2026-11-26T10:00:00+01:00"
    assert capture["url"] == SSI_URL
    assert capture["kind"] == "html"
    assert capture["status"] == "ok"
    assert capture["error_code"] is None and capture["error_message"] is None
    assert capture["payload_kept"] is True
    assert capture["payload_size"] == len(CURRENT_EN)

    reading = result["reading"]
    assert set(reading) == READING_KEYS
    assert reading["capture_id"] == body["id"]
    assert reading["captured_at"] == body["captured_at"]
    assert reading["date"] == "2026-11-26"
    assert {k: reading[k] for k in CURRENT_EN_VALUES} == CURRENT_EN_VALUES

    assert result["previous"] is None
    assert result["change"] == dict.fromkeys(CHANGE_KEYS)
    assert counts(data_dir) == {"captures": 1, "failed": 0, "readings": 1}


def test_uppercase_uuid_is_stored_in_its_usual_form(api):
    body = at("2026-11-26T10:00:00Z")
    body["id"] = body["id"].upper()
    response = api.post(body)
    assert response.status_code == 201
    assert response.get_json()["capture"]["id"] == body["id"].lower()


def test_same_id_and_content_again_is_200_with_the_same_body(api, data_dir):
    body = at("2026-11-26T10:00:00+01:00")
    first = api.post(body)
    again = api.post(body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json() == first.get_json()
    assert counts(data_dir) == {"captures": 1, "failed": 0, "readings": 1}


@pytest.mark.parametrize(
    "change",
    [
        {"html": DOM_2023_EN},
        {"captured_at": "2026-11-26T10:00:01+01:00"},
        {"captured_at": "2026-11-26T09:00:00Z"},  # the same moment, spelled otherwise
        {"url": SSI_URL + "?x=1"},
    ],
)
def test_same_id_with_other_content_is_409(api, data_dir, change):
    body = at("2026-11-26T10:00:00+01:00")
    assert api.post(body).status_code == 201
    response = api.post({**body, **change})
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "conflict"
    assert body["id"] in error["message"]
    assert counts(data_dir) == {"captures": 1, "failed": 0, "readings": 1}
    reading = api.ok("/readings")["readings"]
    assert [r["total"] for r in reading] == [CURRENT_EN_VALUES["total"]]


def test_same_id_as_api_instead_of_html_is_409(api):
    body = at("2026-11-26T10:00:00+01:00")
    assert api.post(body).status_code == 201
    other = {k: v for k, v in body.items() if k != "html"} | {"api": REAL_API}
    assert api.post(other).status_code == 409


@pytest.mark.parametrize("page, code", [(LOGIN, "not_ssi_page"), (SKELETON, "not_rendered")])
def test_unreadable_page_is_422_and_stored_as_failed(api, data_dir, page, code):
    body = at("2026-11-26T10:00:00+01:00", html=page)
    response = api.post(body)
    assert response.status_code == 422
    result = response.get_json()
    assert set(result) == {"error", "capture"}
    assert result["error"]["code"] == code
    assert result["error"]["message"]
    capture = result["capture"]
    assert capture["id"] == body["id"]
    assert capture["status"] == "failed"
    assert capture["error_code"] == code
    assert capture["payload_kept"] is True
    assert "payload" not in capture
    assert counts(data_dir) == {"captures": 1, "failed": 1, "readings": 0}

    failed = api.ok("/captures?status=failed")["captures"]
    assert [(c["id"], c["error_code"], c["payload_kept"]) for c in failed] == [
        (body["id"], code, True)
    ]
    assert api.ok("/captures?status=ok")["captures"] == []
    assert api.ok("/readings")["readings"] == []
    # the raw page is kept, so a later parser can read it again
    db = store.connect(data_dir)
    stored = store.get_capture(db, body["id"], with_payload=True)
    assert store.payload_text(stored) == page

    again = api.post(body)
    assert again.status_code == 422
    assert again.get_json() == result
    assert counts(data_dir)["captures"] == 1


def test_api_payload_is_read_201_with_source_api(api, data_dir):
    body = at("2026-06-10T08:00:00+02:00")
    del body["html"]
    body["api"] = REAL_API
    response = api.post(body)
    assert response.status_code == 201
    result = response.get_json()
    assert result["capture"]["kind"] == "api"
    reading = result["reading"]
    assert reading["source"] == "api"
    assert reading["total"] == pytest.approx(19.705751)
    assert reading["brand"] == pytest.approx(13.118002)
    assert reading["industry_rank"] == 75 and reading["network_rank"] == 81
    assert reading["industry_avg"] == 30.99 and reading["network_avg"] == 32.72
    expected = parse_api(json.dumps(REAL_API)).to_dict()
    assert {k: reading[k] for k in expected} == expected
    # the same object with its keys in another order is the same content: 200, not 409
    reordered = {**body, "api": dict(reversed(list(REAL_API.items())))}
    assert api.post(reordered).status_code == 200
    assert counts(data_dir) == {"captures": 1, "failed": 0, "readings": 1}


def test_second_capture_has_previous_and_change(api):
    first = at("2026-11-26T10:00:00+01:00")
    second = at("2026-11-27T10:00:00+01:00", html=DOM_2023_EN)
    assert api.post(first).status_code == 201
    result = api.post(second).get_json()
    assert result["reading"]["total"] == DOM_2023_VALUES["total"]
    assert result["previous"]["capture_id"] == first["id"]
    assert result["previous"]["total"] == CURRENT_EN_VALUES["total"]
    change = result["change"]
    assert set(change) == CHANGE_KEYS
    for name in CHANGE_KEYS:
        assert change[name] == pytest.approx(DOM_2023_VALUES[name] - CURRENT_EN_VALUES[name])
    assert change["total"] == pytest.approx(32.944)


def test_previous_is_by_capture_time_not_by_arrival(api):
    late = at("2026-11-27T10:00:00+01:00", html=DOM_2023_EN)
    early = at("2026-11-26T10:00:00+01:00")
    api.post(late)
    result = api.post(early).get_json()
    assert result["previous"] is None  # nothing was captured before it
    latest = api.ok("/readings/latest")
    assert latest["reading"]["capture_id"] == late["id"]
    assert latest["previous"]["capture_id"] == early["id"]


def test_failed_capture_is_not_a_previous_reading(api):
    api.post(at("2026-11-26T10:00:00+01:00"))
    api.post(at("2026-11-26T11:00:00+01:00", html=LOGIN))
    result = api.post(at("2026-11-26T12:00:00+01:00", html=DOM_2023_EN)).get_json()
    assert result["previous"]["total"] == CURRENT_EN_VALUES["total"]


# -- 400 table ------------------------------------------------------------------------------------


def without(*names):
    def mutate(body):
        for name in names:
            body.pop(name, None)
        return body

    return mutate


def setting(**values):
    def mutate(body):
        body.update(values)
        return body

    return mutate


def api_instead_of_html(value):
    def mutate(body):
        del body["html"]
        body["api"] = value
        return body

    return mutate


SAMPLE_ID = "6f1c5bb1-3c8e-4bd6-9d51-5b1c3a7c8e01"
SCHEMA_ERRORS = [
    ("missing id", without("id"), "missing field(s): id"),
    ("missing captured_at", without("captured_at"), "missing field(s): captured_at"),
    ("missing url", without("url"), "missing field(s): url"),
    ("missing all", without("id", "captured_at", "url"), "missing field(s): id, captured_at, url"),
    ("unknown field", setting(extra=1), "unknown field(s): extra"),
    ("unknown fields", setting(b=1, a=2), "unknown field(s): a, b"),
    ("neither html nor api", without("html"), "exactly one of html or api"),
    ("both html and api", setting(api=REAL_API), "exactly one of html or api"),
    ("id not a uuid", setting(id="not-a-uuid"), "id must be a uuid"),
    ("id empty", setting(id=""), "id must be a uuid"),
    ("id in braces", setting(id="{" + SAMPLE_ID + "}"), "usual form"),
    ("id as urn", setting(id="urn:uuid:" + SAMPLE_ID), "usual form"),
    ("id without dashes", setting(id=SAMPLE_ID.replace("-", "")), "usual form"),
    ("id as number", setting(id=12345), "id must be a string, not int"),
    ("id as null", setting(id=None), "id must be a string, not NoneType"),
    ("captured_at without offset", setting(captured_at="2026-11-26T10:00:00"), "an offset"),
    ("captured_at date only", setting(captured_at="2026-11-26"), "an offset"),
    ("captured_at not a date", setting(captured_at="yesterday"), "captured_at must be ISO 8601"),
    ("captured_at as number", setting(captured_at=1764150000), "captured_at must be a string"),
    ("url ftp", setting(url="ftp://example.com/ssi"), "url must be the http(s) address"),
    ("url javascript", setting(url="javascript:alert(1)"), "url must be the http(s) address"),
    ("url without host", setting(url="https://"), "url must be the http(s) address"),
    ("url relative", setting(url="/sales/ssi"), "url must be the http(s) address"),
    ("url too long", setting(url="https://x.example/" + "a" * 2100), "url must be the http(s)"),
    ("url as list", setting(url=[SSI_URL]), "url must be a string, not list"),
    ("html as number", setting(html=42), "html must be a string, not int"),
    ("html as null", setting(html=None), "html must be a string, not NoneType"),
    ("api as list", api_instead_of_html([REAL_API]), "api must be an object, not list"),
    ("api as string", api_instead_of_html(json.dumps(REAL_API)), "api must be an object, not str"),
    ("api as null", api_instead_of_html(None), "api must be an object, not NoneType"),
    ("body a list", lambda body: [body], "the body must be a JSON object"),
    ("body a string", lambda body: "hello", "the body must be a JSON object"),
]


@pytest.mark.parametrize(
    "mutate, expected", [pytest.param(m, e, id=name) for name, m, e in SCHEMA_ERRORS]
)
def test_schema_errors_are_400_with_a_message(api, data_dir, mutate, expected):
    response = api.post(mutate(capture_body()))
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "bad_request"
    assert expected in error["message"]
    assert counts(data_dir) == {"captures": 0, "failed": 0, "readings": 0}


@pytest.mark.parametrize("data", ["{", "null", "{'id': 1}", "[1,]", "{} []"])
def test_body_that_is_not_valid_json_is_400(api, data_dir, data):
    response = api.post_raw(data)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_request"
    assert counts(data_dir)["captures"] == 0


def test_empty_json_body_is_400(client, data_dir):
    # Content-Length: 0 (the test client would leave the header out for an empty body)
    response = client.post(
        "/api/v1/captures",
        content_type="application/json",
        headers=auth(data_dir),
        environ_overrides={"CONTENT_LENGTH": "0"},
    )
    assert response.status_code == 400
    assert counts(data_dir)["captures"] == 0


# -- readings -------------------------------------------------------------------------------------


def test_readings_empty(api):
    assert api.ok("/readings") == {"readings": []}
    assert api.ok("/readings/daily") == {"readings": []}
    assert api.ok("/readings/latest") == {"reading": None, "previous": None, "change": None}


def test_readings_are_listed_oldest_first_with_every_field(api):
    late = at("2026-11-27T09:00:00+01:00", html=DOM_2023_EN)
    early = at("2026-11-26T09:00:00+01:00")
    api.post(late)
    api.post(early)
    readings = api.ok("/readings")["readings"]
    assert [r["capture_id"] for r in readings] == [early["id"], late["id"]]
    assert all(set(r) == READING_KEYS for r in readings)
    assert {k: readings[0][k] for k in CURRENT_EN_VALUES} == CURRENT_EN_VALUES
    assert readings[1]["source"] == "dom_2023"
    assert readings[1]["date"] == "2026-11-27"


@pytest.mark.parametrize(
    "captured_at, local_date",
    [
        ("2026-11-26T23:30:00-05:00", "2026-11-26"),  # UTC is already the 27th
        ("2026-11-27T00:30:00+09:00", "2026-11-27"),  # UTC is still the 26th
        ("2026-11-26T23:59:59Z", "2026-11-26"),
        ("2026-11-27T00:00:00+14:00", "2026-11-27"),
    ],
)
def test_date_is_the_calendar_date_in_the_captures_own_offset(api, captured_at, local_date):
    api.post(at(captured_at))
    (reading,) = api.ok("/readings")["readings"]
    assert reading["date"] == local_date
    assert reading["captured_at"] == captured_at
    filtered = api.ok(f"/readings?from={local_date}&to={local_date}")["readings"]
    assert [r["date"] for r in filtered] == [local_date]


def test_readings_across_offsets_are_ordered_by_the_real_moment(api):
    tokyo = at("2026-11-27T08:00:00+09:00")  # 2026-11-26T23:00Z
    new_york = at("2026-11-26T17:00:00-05:00", html=DOM_2023_EN)  # 2026-11-26T22:00Z
    api.post(tokyo)
    api.post(new_york)
    readings = api.ok("/readings")["readings"]
    assert [r["capture_id"] for r in readings] == [new_york["id"], tokyo["id"]]
    assert api.ok("/readings/latest")["reading"]["capture_id"] == tokyo["id"]


def test_daily_takes_the_last_reading_of_each_local_date(api):
    morning = at("2026-11-26T08:00:00-05:00")
    evening = at("2026-11-26T23:30:00-05:00", html=DOM_2023_EN)  # UTC 27th, local 26th
    next_day = at("2026-11-27T07:00:00-05:00")
    for body in (evening, next_day, morning):  # arrival order does not matter
        assert api.post(body).status_code == 201
    daily = api.ok("/readings/daily")["readings"]
    assert [(r["date"], r["capture_id"]) for r in daily] == [
        ("2026-11-26", evening["id"]),
        ("2026-11-27", next_day["id"]),
    ]
    assert daily[0]["total"] == DOM_2023_VALUES["total"]
    assert len(api.ok("/readings")["readings"]) == 3
    limited = api.ok("/readings/daily?limit=1")["readings"]
    assert [r["capture_id"] for r in limited] == [evening["id"]]
    assert [r["date"] for r in api.ok("/readings/daily?from=2026-11-27")["readings"]] == [
        "2026-11-27"
    ]


@pytest.fixture
def three_days(api):
    ids = {}
    for day in ("2026-11-25", "2026-11-26", "2026-11-27"):
        body = at(f"{day}T12:00:00+01:00")
        api.post(body)
        ids[day] = body["id"]
    return ids


@pytest.mark.parametrize(
    "query, days",
    [
        ("", ["2026-11-25", "2026-11-26", "2026-11-27"]),
        ("?from=2026-11-26", ["2026-11-26", "2026-11-27"]),
        ("?to=2026-11-26", ["2026-11-25", "2026-11-26"]),
        ("?from=2026-11-26&to=2026-11-26", ["2026-11-26"]),
        ("?from=2026-11-27&to=2026-11-25", []),
        ("?from=2027-01-01", []),
        ("?limit=2", ["2026-11-25", "2026-11-26"]),
        ("?limit=100000", ["2026-11-25", "2026-11-26", "2026-11-27"]),
        ("?from=2026-11-26&limit=1", ["2026-11-26"]),
    ],
)
@pytest.mark.parametrize("path", ["/readings", "/readings/daily"])
def test_from_to_limit_filters(api, three_days, path, query, days):
    readings = api.ok(path + query)["readings"]
    assert [r["date"] for r in readings] == days
    assert [r["capture_id"] for r in readings] == [three_days[d] for d in days]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("from=2026-13-01", "from must be a date"),
        ("from=2026-02-30", "from must be a date"),
        ("from=yesterday", "from must be a date"),
        ("from=", "from must be a date"),
        ("to=26/11/2026", "to must be a date"),
        ("limit=0", "limit must be a whole number"),
        ("limit=-1", "limit must be a whole number"),
        ("limit=1.5", "limit must be a whole number"),
        ("limit=abc", "limit must be a whole number"),
        ("limit=", "limit must be a whole number"),
        ("limit=100001", "limit must be a whole number"),
        ("limit=%C2%B2", "limit must be a whole number"),  # "²".isdigit() is True
    ],
)
@pytest.mark.parametrize("path", ["/readings", "/readings/daily"])
def test_bad_reading_queries_are_400(api, path, query, expected):
    response = api.get(f"{path}?{query}")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "bad_request"
    assert expected in error["message"]


def test_latest_has_previous_and_change(api):
    first = at("2026-11-26T10:00:00+01:00", html=DOM_2023_EN)
    second = at("2026-11-27T10:00:00+01:00")
    api.post(first)
    only = api.ok("/readings/latest")
    assert only["reading"]["capture_id"] == first["id"]
    assert only["previous"] is None
    assert only["change"] == dict.fromkeys(CHANGE_KEYS)
    api.post(second)
    latest = api.ok("/readings/latest")
    assert set(latest) == {"reading", "previous", "change"}
    assert latest["reading"]["capture_id"] == second["id"]
    assert latest["previous"]["capture_id"] == first["id"]
    assert latest["change"]["total"] == pytest.approx(-32.944)
    assert latest["change"]["brand"] == pytest.approx(13.118 - 21.0)


# -- captures and status --------------------------------------------------------------------------


def test_captures_list_filters_by_status_and_never_carries_the_payload(api):
    ok = at("2026-11-26T10:00:00+01:00")
    failed = at("2026-11-26T11:00:00+01:00", html=LOGIN)
    later = at("2026-11-26T12:00:00+01:00", html=DOM_2023_EN)
    for body in (later, failed, ok):
        api.post(body)
    listed = api.ok("/captures")["captures"]
    assert [c["id"] for c in listed] == [ok["id"], failed["id"], later["id"]]
    for capture in listed:
        assert set(capture) == CAPTURE_KEYS
        assert "payload" not in capture and "html" not in capture
        assert capture["payload_kept"] is True
    assert [c["id"] for c in api.ok("/captures?status=ok")["captures"]] == [ok["id"], later["id"]]
    (only_failed,) = api.ok("/captures?status=failed")["captures"]
    assert only_failed["error_code"] == "not_ssi_page"
    assert [c["id"] for c in api.ok("/captures?limit=1")["captures"]] == [ok["id"]]
    assert [c["id"] for c in api.ok("/captures?status=ok&limit=1")["captures"]] == [ok["id"]]


@pytest.mark.parametrize(
    "query", ["status=bad", "status=OK", "status=", "status=all", "limit=0", "limit=x"]
)
def test_bad_captures_queries_are_400(api, query):
    response = api.get(f"/captures?{query}")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_request"


def test_status_counts_and_last_capture(api, data_dir):
    empty = api.ok("/status")
    assert empty == {
        "app": "ssi-companion",
        "version": __version__,
        "data_dir": data_dir,
        "counts": {"captures": 0, "failed": 0, "readings": 0},
        "last_capture": None,
        "latest_reading": None,
        "last_backup": None,
    }
    newest = at("2026-11-27T10:00:00+01:00")
    api.post(newest)
    api.post(at("2026-11-26T10:00:00+01:00", html=DOM_2023_EN))
    failed = at("2026-11-25T10:00:00+01:00", html=SKELETON)
    api.post(failed)
    status = api.ok("/status")
    assert status["counts"] == {"captures": 3, "failed": 1, "readings": 2}
    # the last capture received, whatever its captured_at
    assert status["last_capture"]["id"] == failed["id"]
    assert status["last_capture"]["status"] == "failed"
    assert "payload" not in status["last_capture"]
    # the latest reading by capture time
    assert status["latest_reading"]["capture_id"] == newest["id"]
    assert status["latest_reading"]["total"] == CURRENT_EN_VALUES["total"]


# -- retention ------------------------------------------------------------------------------------


def test_prune_drops_old_ok_payloads_and_keeps_failed_ones(home):
    app = create_app({"HOME": str(home), "TESTING": True, "RETENTION_DAYS": 7})
    assert app.config["DEFAULT_RETENTION_DAYS"] == 7
    data_dir = app.config["DATA_DIR"]
    client = app.test_client()
    ok = at("2026-11-26T10:00:00+01:00")
    failed = at("2026-11-26T11:00:00+01:00", html=LOGIN)
    assert client.post("/api/v1/captures", json=ok, headers=auth(data_dir)).status_code == 201
    assert client.post("/api/v1/captures", json=failed, headers=auth(data_dir)).status_code == 422

    def kept():
        listed = client.get("/api/v1/captures", headers=auth(data_dir)).get_json()["captures"]
        return {c["id"]: c["payload_kept"] for c in listed}

    assert kept() == {ok["id"]: True, failed["id"]: True}  # fresh: nothing pruned on the way
    db = store.connect(data_dir)
    with store.write(db):
        assert store.prune_payloads(db, 7, store.now_utc() + timedelta(days=6)) == 0
    assert kept() == {ok["id"]: True, failed["id"]: True}
    with store.write(db):
        assert store.prune_payloads(db, 7, store.now_utc() + timedelta(days=8)) == 1
    assert kept() == {ok["id"]: False, failed["id"]: True}
    # the reading stays, and a replay of the pruned capture is still recognised
    assert counts(data_dir) == {"captures": 2, "failed": 1, "readings": 1}
    replay = client.post("/api/v1/captures", json=ok, headers=auth(data_dir))
    assert replay.status_code == 200
    assert replay.get_json()["capture"]["payload_kept"] is False


def test_receiving_prunes_with_the_configured_retention(home):
    app = create_app({"HOME": str(home), "TESTING": True, "RETENTION_DAYS": 0})
    data_dir = app.config["DATA_DIR"]
    client = app.test_client()
    first = at("2026-11-26T10:00:00+01:00")
    failed = at("2026-11-26T11:00:00+01:00", html=LOGIN)
    client.post("/api/v1/captures", json=first, headers=auth(data_dir))
    client.post("/api/v1/captures", json=failed, headers=auth(data_dir))
    listed = client.get("/api/v1/captures", headers=auth(data_dir)).get_json()["captures"]
    assert {c["id"]: c["payload_kept"] for c in listed} == {first["id"]: False, failed["id"]: True}


# -- concurrency against the real server ----------------------------------------------------------


def _post_all_at_once(port, bodies, headers):
    barrier = threading.Barrier(len(bodies))
    results = [None] * len(bodies)

    def worker(i):
        barrier.wait()
        try:
            status, _, raw = post_json(port, bodies[i], headers)
            results[i] = (status, json.loads(raw))
        except Exception as exc:  # noqa: BLE001 - reported in the assertion
            results[i] = (None, repr(exc))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(bodies))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def test_same_capture_sent_8_times_at_once_is_stored_once(server):
    body = at("2026-11-26T10:00:00+01:00")
    results = _post_all_at_once(server.port, [body] * 8, auth(server.home))
    statuses = sorted(status for status, _ in results)
    assert set(statuses) <= {200, 201}, results
    assert statuses.count(201) == 1
    readings = {json.dumps(result["reading"], sort_keys=True) for _, result in results}
    assert len(readings) == 1  # every answer carries the one reading
    assert counts(server.home) == {"captures": 1, "failed": 0, "readings": 1}


def test_8_different_captures_at_once_are_all_stored(server):
    bodies = [at(f"2026-11-26T10:00:0{i}+01:00") for i in range(8)]
    results = _post_all_at_once(server.port, bodies, auth(server.home))
    assert [status for status, _ in results] == [201] * 8, results
    assert counts(server.home) == {"captures": 8, "failed": 0, "readings": 8}
    db = store.connect(server.home)
    assert {r["capture_id"] for r in store.list_readings(db)} == {b["id"] for b in bodies}
