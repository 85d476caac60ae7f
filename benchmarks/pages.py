"""A rendered SSI page of about 400 KB, with the numbers a real one carries around the user's.

The SSI section follows tests/data/current_en.html and docs/reference/ssi-page.md: the donut,
the rank block, the four bars, and the two peer groups with their own donuts, per-pillar bars,
ranks and the sentences that hold the averages. The values are those scraped from the live page
on 2026-05-13 (tests/data/real/professorsoares_ssi_2026-05-13.csv), peer pillars
included. Around it, the rest of a LinkedIn page: navigation and messaging with their counts,
cards with follower counts and percentages, and the hidden <code> data blocks LinkedIn's app
keeps in the DOM. The parse has to find the user's numbers among all of these; a page that is
only the SSI section in a sea of identical cards would flatter it.
"""

import html
import json

from companion.reading import PILLAR_NAMES

# What parse_page must read from the page; the benchmarks check it before timing anything.
EXPECTED = {
    "total": 52.048,
    "total_displayed": 52,
    "brand": 21.048,
    "people": 6.5,
    "insights": 9.5,
    "relationships": 15.0,
    "industry_rank": 10,
    "network_rank": 13,
    "industry_avg": 35.0,
    "network_avg": 36.0,
    "industry": "Management Consulting",
}

_BAR_IDS = {
    "brand": "establish-brand",
    "people": "find-people",
    "insights": "engage-with-insights",
    "relationships": "build-relationships",
}
# Each peer group's own pillars, as the live page showed them beside the user's.
_GROUP_PILLARS = {
    "industry": {"brand": 11.79, "people": 5.4, "insights": 2.18, "relationships": 15.15},
    "network": {"brand": 13.22, "people": 4.36, "insights": 2.43, "relationships": 16.33},
}


def _donut_svg(value: int) -> str:
    # Highcharts draws the number again inside the chart: a decoy outside the caption.
    return (
        '<svg class="highcharts-root" width="180" height="180" viewBox="0 0 180 180">'
        '<g class="highcharts-series"><path d="M 90 10 A 80 80 0 1 1 89.9 10 Z" fill="#0a66c2">'
        f'</path></g><text x="90" y="96">{value}</text></svg>'
    )


def _rank(label: str, value: int, moved: str) -> str:
    return f"""
          <div class="ssi-rank">
            <dt class="ssi-rank__category-name t-14 t-black--light">{label}</dt>
            <dd class="ssi-rank__category-score t-16">Top <span class="mh1 t-black t-40">{value}</span>%
              <span class="ssi-rank__change t-12 t-black--light">{moved}</span></dd>
          </div>"""


def _user_pillar(pillar: str) -> str:
    bar = f"{_BAR_IDS[pillar]}__sub-score-bar"
    value = EXPECTED[pillar]
    return f"""
        <li class="ssi-sub-score">
          <div class="ssi-sub-score__header">
            <label class="ssi-sub-score__label t-14 t-black" for="{bar}">{PILLAR_NAMES[pillar]}</label>
            <span class="ssi-sub-score__score t-16 t-bold">{value:g}</span>
          </div>
          <progress id="{bar}" class="ssi-sub-score__bar ssi-sub-score__bar--{pillar}" value="{value:g}" max="25"><span class="ssi-score__value">{round(value)}</span></progress>
        </li>"""


def _group(group: str, title: str, sentence: str, rank: int) -> str:
    average = round(EXPECTED[f"{group}_avg"])
    bars = "".join(
        f"""
          <li class="group-ssi-score__sub-score">
            <span class="group-ssi-score__sub-score-label t-12">{PILLAR_NAMES[pillar]}</span>
            <span class="group-ssi-score__sub-score-value t-12 t-bold">{value:g}</span>
            <progress id="{group}-{_BAR_IDS[pillar]}__sub-score-bar" class="group-ssi-score__bar" value="{value:g}" max="25"><span class="ssi-score__value">{round(value)}</span></progress>
          </li>"""
        for pillar, value in _GROUP_PILLARS[group].items()
    )
    return f"""
      <div class="group-ssi-score group-ssi-score--{group}">
        <h3 class="group-ssi-score__title t-16 t-black">{title}</h3>
        <div class="group-ssi-score__donut-chart" data-highcharts-chart="1">{_donut_svg(average)}
          <span class="ssi-score__value t-24">{average}</span> out of 100</div>
        <p class="group-ssi-score__description t-14">{sentence}</p>
        <p class="group-ssi-score__rank t-12">You rank in the top {rank}%</p>
        <p class="group-ssi-score__change t-12 t-black--light">Up 2 points since last week</p>
        <ul class="group-ssi-score__sub-scores list-style-none">{bars}
        </ul>
      </div>"""


def _ssi_section() -> str:
    total = EXPECTED["total_displayed"]
    ranks = _rank("Industry SSI rank", EXPECTED["industry_rank"], "Up 1% since last week")
    ranks += _rank("Network SSI rank", EXPECTED["network_rank"], "No change")
    pillars = "".join(map(_user_pillar, _BAR_IDS))
    industry, industry_avg, network_avg = (
        EXPECTED[name] for name in ("industry", "industry_avg", "network_avg")
    )
    groups = _group(
        "industry",
        "People in your industry",
        f"Sales professionals in the {industry} industry have an average SSI of {industry_avg:g}.",
        EXPECTED["industry_rank"],
    ) + _group(
        "network",
        "People in your network",
        f"People in your network have an average SSI of {network_avg:g}.",
        EXPECTED["network_rank"],
    )
    return f"""
  <div class="ssi-page__content">
    <section class="ssi-report artdeco-card">
      <h1 class="ssi-report__title t-20 t-black">Your Social Selling Index</h1>
      <p class="ssi-report__updated t-12 t-black--light">Updated daily. Last updated 2 hours ago.</p>
      <div class="ssi-report__summary display-flex">
        <div class="user-ssi-score">
          <div class="user-ssi-score__donut-chart" data-highcharts-chart="0">
            {_donut_svg(total)}
            <div class="user-ssi-score__donut-chart-caption t-14"><span class="ssi-score__value t-32 t-black">{total}</span> out of 100</div>
          </div>
        </div>
        <dl class="ssi-ranks">{ranks}
        </dl>
      </div>
    </section>
    <section class="ssi-sub-scores artdeco-card">
      <h2 class="ssi-sub-scores__title t-18 t-black">The four components of your score</h2>
      <ul class="ssi-sub-scores__list list-style-none">{pillars}
      </ul>
    </section>
    <section class="ssi-groups artdeco-card">
      <h2 class="ssi-groups__title t-18 t-black">How you compare</h2>{groups}
    </section>
    <p class="ssi-page__tip t-12">Members who post every week raise their SSI by 15 points on average.</p>
    <footer class="ssi-page__upsell t-14">Find the right decision makers and shorten your sales cycle with LinkedIn Sales Navigator. Try it free for 30 days. <a href="https://business.linkedin.com/sales-solutions">Sales Navigator</a></footer>
  </div>
"""


SSI_SECTION = _ssi_section()


def _nav() -> str:
    items = "".join(
        f'<li class="global-nav__primary-item"><a class="global-nav__primary-link" href="/{path}/">'
        f"{label}"
        + (
            f'<span class="notification-badge notification-badge--show"><span class="'
            f'notification-badge__count" aria-hidden="true">{count}</span>'
            f'<span class="visually-hidden">{count} new</span></span>'
            if count
            else ""
        )
        + "</a></li>"
        for path, label, count in (
            ("feed", "Home", 0),
            ("mynetwork", "My Network", 12),
            ("jobs", "Jobs", 0),
            ("messaging", "Messaging", "99+"),
            ("notifications", "Notifications", 23),
        )
    )
    return (
        '<header id="global-nav" class="global-nav" role="banner"><div class="global-nav__content">'
        '<a class="global-nav__logo" href="/feed/"><span class="visually-hidden">LinkedIn</span></a>'
        '<nav class="global-nav__nav" aria-label="Primary Navigation">'
        f'<ul class="global-nav__primary-items">{items}</ul></nav></div></header>'
    )


def _card(i: int) -> str:
    """A post or profile card, with the counts and percentages LinkedIn puts everywhere."""
    return (
        f'<div class="feed-shared-update artdeco-card" data-urn="urn:li:activity:{i}">'
        f'<a class="app-aware-link" href="/in/member-{i}/"><img alt="" src="/img/{i}.jpg">'
        f'<span class="t-14 t-bold">Member {i}</span></a>'
        f'<p class="t-12 t-black--light">{1000 + i * 37 % 9000:,} followers · '
        f"{i % 500 + 1} connections in common</p>"
        f'<p class="t-12 t-black--light">Posted {i % 23} hours ago · {i % 97} reactions · '
        f"{i % 41}% more views than last week</p>"
        f'<ul class="social-actions"><li><button type="button">Like</button></li>'
        f'<li><button type="button">Comment ({i % 13})</button></li></ul></div>'
    )


def _conversation(i: int) -> str:
    return (
        '<li class="msg-conversation-listitem"><div class="msg-conversation-card">'
        f'<h3 class="msg-conversation-listitem__participant-names">Member {i}</h3>'
        '<p class="msg-conversation-card__message-snippet">Can you send me the '
        f"{i % 40 + 5} slides before 14:30? The budget is {i % 200 + 20}k, up {i % 30}%.</p>"
        f'<span class="notification-badge__count">{i % 9 + 1}</span>'
        f'<time class="msg-conversation-listitem__time-stamp">{i % 28 + 1} Jun</time></div></li>'
    )


def _code_block(i: int) -> str:
    """One of the app's hidden data blocks: JSON, HTML-escaped, full of other numbers."""
    included = [
        {
            "$type": "com.linkedin.voyager.identity.shared.MiniProfile",
            "entityUrn": f"urn:li:fs_miniProfile:member-{i}-{n}",
            "publicIdentifier": f"member-{i}-{n}",
            "occupation": "Consultant at Example Partners",
            "followerCount": (i * 31 + n * 7) % 20000,
            "connectionsCount": (i + n) % 500,
            "unreadCount": n % 12,
            "trackingId": f"{i:08x}{n:08x}",
        }
        for n in range(12)
    ]
    data = {
        "data": {"$type": "com.linkedin.restli.common.CollectionResponse"},
        "included": included,
    }
    return (
        f'<code style="display: none" id="bpr-guid-{i}">'
        f"{html.escape(json.dumps(data, separators=(',', ':')))}</code>"
    )


def _filler(target_bytes: int) -> list[str]:
    # Mostly elements, about a third of the bytes hidden JSON: saved pages vary (the data
    # blocks follow what the app loaded), and elements are what the parse spends its time on.
    parts, size, i = [], 0, 0
    while size < target_bytes:
        part = _code_block(i) if i % 16 == 15 else _card(i)
        parts.append(part)
        size += len(part)
        i += 1
    return parts


def big_page(target_bytes: int = 400_000) -> str:
    main = main_region()
    conversations = "".join(_conversation(i) for i in range(40))
    messaging = (
        '<aside id="msg-overlay" class="msg-overlay-container" aria-label="Messaging">'
        '<header class="msg-overlay-bubble-header"><h2>Messaging</h2>'
        '<span class="notification-badge__count">99+</span></header>'
        f'<ul class="msg-conversations-container__conversations-list">{conversations}</ul></aside>'
    )
    parts = _filler(target_bytes - len(main) - len(messaging))
    half = len(parts) // 2
    return (
        '<!DOCTYPE html><html lang="en" class="theme theme--mercado"><head>'
        '<meta charset="utf-8"><title>Social Selling Index | LinkedIn Sales Navigator</title>'
        '<link rel="stylesheet" href="https://static.licdn.com/aero-v1/sc/h/app.css"></head>'
        '<body class="render-mode-BIGPIPE nav-v2 ember-application boot-complete">'
        f'<div class="application-outlet">{_nav()}'
        f'<aside class="scaffold-layout__aside">{"".join(parts[:half])}</aside>'
        f'<div class="scaffold-layout">{main}</div>{messaging}'
        f'<div class="scaffold-layout__footer">{"".join(parts[half:])}</div></div>'
        '<script src="https://static.licdn.com/aero-v1/sc/h/vendor.js" defer></script>'
        "</body></html>"
    )


def main_region() -> str:
    """What the extension sends: the main element only."""
    return (
        '<main id="content-main" class="ssi-page scaffold-layout__main" role="main">'
        f"{SSI_SECTION}</main>"
    )


def check_reading(reading) -> None:
    """Fail loudly when the page does not read as it should: a fast wrong parse is no result."""
    got = {name: getattr(reading, name) for name in EXPECTED}
    if got != EXPECTED:  # not an assert: python -O would skip it
        raise AssertionError(f"the benchmark page read as {got}, not {EXPECTED}")
