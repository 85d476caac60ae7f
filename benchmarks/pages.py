"""A rendered SSI page of about 400 KB: the SSI section inside a page full of other markup."""

SSI_SECTION = """
<section class="ssi-dashboard">
  <div class="user-ssi-score"><div class="user-ssi-score__donut-chart">
    <div class="user-ssi-score__donut-chart-caption">
      <span class="ssi-score__value">52</span> out of 100</div></div></div>
  <dl class="ssi-ranks">
    <div class="ssi-rank"><dt class="ssi-rank__category-name">Industry SSI rank</dt>
      <dd class="ssi-rank__category-score">Top <span class="mh1 t-black t-40">10</span>%</dd></div>
    <div class="ssi-rank"><dt class="ssi-rank__category-name">Network SSI rank</dt>
      <dd class="ssi-rank__category-score">Top <span class="mh1 t-black t-40">13</span>%</dd></div>
  </dl>
  <progress id="establish-brand__sub-score-bar" value="21.048" max="25">
    <span class="ssi-score__value">21</span></progress>
  <progress id="find-people__sub-score-bar" value="6.5" max="25">
    <span class="ssi-score__value">6</span></progress>
  <progress id="engage-with-insights__sub-score-bar" value="9.5" max="25">
    <span class="ssi-score__value">9</span></progress>
  <progress id="build-relationships__sub-score-bar" value="15" max="25">
    <span class="ssi-score__value">15</span></progress>
  <div class="group-ssi-score"><div class="group-ssi-score__donut-chart">
    <span class="ssi-score__value">35</span></div>
    <p>Sales professionals in the Management Consulting industry have an average SSI of 35.</p>
  </div>
  <div class="group-ssi-score"><div class="group-ssi-score__donut-chart">
    <span class="ssi-score__value">36</span></div>
    <p>People in your network have an average SSI of 36.</p></div>
</section>
"""


def _card(i: int) -> str:
    return (
        f'<div class="feed-shared-update artdeco-card" data-urn="urn:li:activity:{i}">'
        f'<a class="app-aware-link" href="/in/member-{i}/"><img alt="" src="/img/{i}.jpg">'
        f'<span class="t-14 t-bold">Member {i}</span></a>'
        f'<p class="t-12 t-black--light">Posted {i % 23} hours ago · {i % 97} reactions</p>'
        f'<ul class="social-actions"><li><button type="button">Like</button></li>'
        f'<li><button type="button">Comment ({i % 13})</button></li></ul></div>'
    )


def big_page(target_bytes: int = 400_000) -> str:
    cards, i = [], 0
    while sum(map(len, cards)) < target_bytes:
        cards.append(_card(i))
        i += 1
    half = len(cards) // 2
    return (
        '<!DOCTYPE html><html lang="en"><head><title>Social Selling Index | LinkedIn</title>'
        '<meta charset="utf-8"></head><body>'
        '<header class="global-nav"><span class="notification-badge">12</span></header>'
        f'<aside class="feed">{"".join(cards[:half])}</aside>'
        f'<main class="scaffold-layout__main">{SSI_SECTION}</main>'
        f'<aside class="msg-overlay">{"".join(cards[half:])}</aside></body></html>'
    )


def main_region() -> str:
    """What the extension sends: the main element only."""
    return f'<main class="scaffold-layout__main">{SSI_SECTION}</main>'
