"""Article volume per month for a search, as bar geometry for a plain SVG chart."""

from __future__ import annotations

from dataclasses import dataclass

from cstosearch.query import SearchRequest

BAR_WIDTH = 10
BAR_GAP = 2
HEIGHT = 100


@dataclass
class Bar:
    month: str
    count: int
    corpus: int
    share: float  # count / corpus articles that month, 0..1
    selected: bool  # inside the date filters of the search
    x: int = 0
    count_y: float = HEIGHT
    count_h: float = 0
    share_y: float = HEIGHT
    share_h: float = 0

    @property
    def share_percent(self) -> str:
        return format_percent(self.share)


@dataclass
class Chart:
    bars: list[Bar]
    max_count: int
    max_share: float
    width: int
    height: int = HEIGHT
    bar_width: int = BAR_WIDTH - BAR_GAP

    @property
    def max_share_percent(self) -> str:
        return format_percent(self.max_share)

    @property
    def first(self) -> str:
        return self.bars[0].month

    @property
    def last(self) -> str:
        return self.bars[-1].month

    @property
    def peak(self) -> Bar:
        return max(self.bars, key=lambda b: (b.count, b.month))

    @property
    def peak_share(self) -> Bar:
        return max(self.bars, key=lambda b: (b.share, b.month))


def format_percent(share: float) -> str:
    percent = share * 100
    if percent == 0:
        return "0%"
    if percent < 0.1:
        return "<0.1%"
    return f"{percent:.1f}%" if percent < 10 else f"{percent:.0f}%"


def months_between(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:7])
    end = (int(last[:4]), int(last[5:7]))
    months = []
    while (year, month) <= end:
        months.append(f"{year:04d}-{month:02d}")
        month += 1
        if month > 12:
            year, month = year + 1, 1
    return months


def in_date_filters(month: str, request: SearchRequest | None) -> bool:
    if request is None:
        return True
    if request.years and month[:4] not in request.years:
        return False
    if request.months and month not in request.months:
        return False
    if request.date_from and month < request.date_from[:7]:
        return False
    if request.date_to and month > request.date_to[:7]:
        return False
    return True


def month_chart(month_counts: dict[str, int], corpus_counts: dict[str, int],
                request: SearchRequest | None = None) -> Chart | None:
    """Bars for every month from the first to the last with a match; None when nothing is dated."""
    counts = {m: c for m, c in month_counts.items() if c > 0}
    if not counts:
        return None
    months = months_between(min(counts), max(counts))
    bars = []
    for month in months:
        count = counts.get(month, 0)
        corpus = max(corpus_counts.get(month, 0), count)
        bars.append(Bar(month, count, corpus, count / corpus if corpus else 0.0, in_date_filters(month, request)))
    max_count = max(b.count for b in bars)
    max_share = max(b.share for b in bars)
    for index, bar in enumerate(bars):
        bar.x = index * BAR_WIDTH + BAR_GAP // 2
        bar.count_h = _height(bar.count, max_count)
        bar.count_y = round(HEIGHT - bar.count_h, 2)
        bar.share_h = _height(bar.share, max_share)
        bar.share_y = round(HEIGHT - bar.share_h, 2)
    return Chart(bars=bars, max_count=max_count, max_share=max_share, width=len(bars) * BAR_WIDTH)


def _height(value: float, largest: float) -> float:
    """Bar height in chart units; a month with any article stays visible next to a tall peak."""
    if not value or not largest:
        return 0
    return max(1.5, round(HEIGHT * value / largest, 2))
