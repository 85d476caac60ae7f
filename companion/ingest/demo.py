"""A realistic year of made-up readings, so a newcomer can see the summary page at once.

Used by `ssi-companion serve --demo` (in a temporary data dir, never the user's) and by the
browser test and `make screenshot`. Deterministic: the same seed gives the same year.
"""

import json
import random
import uuid
from datetime import date, datetime, time, timedelta, timezone

from sqlite_utils import Database

from companion import store
from companion.ingest.receive import read
from companion.reading import PILLARS, SSI_URL

INDUSTRY = "Management Consulting"
_NAMESPACE = uuid.UUID("9b1f2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d")
# Where each pillar starts and how far it climbs over the year (points out of 25).
_START = {"brand": 14.0, "people": 9.0, "insights": 7.5, "relationships": 13.0}
_GAIN = {"brand": 4.0, "people": 2.5, "insights": 4.5, "relationships": 2.0}
_NOT_RENDERED = (
    '<main><div class="user-ssi-score"><span class="ssi-score__value"></span></div></main>'
)


def _reading(progress: float, rng: random.Random, recalibrated: bool, before) -> dict:
    # Like real histories, a pillar often holds for days, then moves a little.
    pillars = {
        p: before[p]
        if before and rng.random() < 0.6
        else round(min(25.0, _START[p] + _GAIN[p] * progress + rng.uniform(-0.4, 0.4)), 3)
        for p in PILLARS
    }
    if recalibrated:  # a LinkedIn-wide dip: every pillar falls, ranks stay
        pillars = {p: round(v * 0.93, 3) for p, v in pillars.items()}
    total = round(sum(pillars.values()), 3)
    return {
        **pillars,
        "total": total,
        "total_displayed": round(total),
        "industry_rank": max(1, round(24 - 14 * progress + rng.uniform(-1, 1))),
        "network_rank": max(1, round(30 - 15 * progress + rng.uniform(-1, 1))),
        "industry_avg": 33.0 if progress < 0.5 else 34.0,
        "network_avg": 36.0,
        "industry": INDUSTRY,
        "source": "import",
    }


def fill(db: Database, today: date, days: int = 365, seed: int = 7) -> int:
    """Readings on about five days a week for `days` days up to `today`; returns the count."""
    rng = random.Random(seed)
    offset = timezone(timedelta(hours=1))
    recalibration = today - timedelta(days=days // 3)
    pairs, held, before = [], None, None
    for n in range(days, -1, -1):
        day = today - timedelta(days=n)
        if rng.random() < 0.3 and day not in (recalibration, recalibration - timedelta(days=1)):
            continue  # most people do not look every day
        moment = datetime.combine(day, time(8 + rng.randrange(10), rng.randrange(60)), offset)
        progress = (days - n) / days
        values = _reading(progress, rng, day == recalibration, before)
        before = values
        if day == recalibration and held:  # the ranks held that day
            values["industry_rank"], values["network_rank"] = held
        held = (values["industry_rank"], values["network_rank"])
        payload = json.dumps({"captured_at": moment.isoformat(), **values}, sort_keys=True)
        capture_id = str(uuid.uuid5(_NAMESPACE, payload))
        captured_at = moment.isoformat()
        pairs.append(
            (
                {
                    "id": capture_id,
                    "captured_at": captured_at,
                    "captured_at_utc": store.utc_text(moment),
                    "url": SSI_URL,
                    "kind": "import",
                    "payload": payload,
                },
                {
                    "capture_id": capture_id,
                    "captured_at": captured_at,
                    "captured_at_utc": store.utc_text(moment),
                    "date": day.isoformat(),
                    **values,
                },
            )
        )
    store.save_imported(db, pairs)
    # One visit the page had not finished drawing: it shows how failed captures look.
    failed_at = datetime.combine(today - timedelta(days=20), time(9, 12), offset).isoformat()
    reading, error = read("html", _NOT_RENDERED, SSI_URL)
    store.save_capture(
        db,
        capture_id=str(uuid.uuid5(_NAMESPACE, "failed")),
        captured_at=failed_at,
        url=SSI_URL,
        kind="html",
        payload=_NOT_RENDERED,
        reading=reading,
        error=error,
    )
    return len(pairs)
