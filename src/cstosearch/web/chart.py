"""Article volume per month (per year, or per span of years, over long ranges) as bar geometry for an SVG chart."""

from __future__ import annotations

import math
from dataclasses import dataclass

from cstosearch.query import SearchRequest

BAR_WIDTH = 10
BAR_GAP = 2
HEIGHT = 100
# Past this many months the chart counts whole years (or spans of years): a page must stay
# small however wide the dates in the index are.
MAX_BARS = 240


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
    unit: str = "month"  # what one bar counts: "month", "year", or "10 years"

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
    """Bars for every month from the first to the last with a match; None when nothing is dated.

    When that is more than ``MAX_BARS`` months, each bar counts a year, or a span of years.
    """
    counts = {m: c for m, c in month_counts.items() if c > 0 and _is_month(m)}
    if not counts:
        return None
    first, last = min(counts), max(counts)
    span_months = (int(last[:4]) - int(first[:4])) * 12 + int(last[5:7]) - int(first[5:7]) + 1
    if span_months <= MAX_BARS:
        bars = _monthly_bars(counts, corpus_counts, request)
        unit = "month"
    else:
        years_per_bar = math.ceil((int(last[:4]) - int(first[:4]) + 1) / MAX_BARS)
        bars = _yearly_bars(counts, corpus_counts, request, years_per_bar)
        unit = "year" if years_per_bar == 1 else f"{years_per_bar} years"
    max_count = max(b.count for b in bars)
    max_share = max(b.share for b in bars)
    for index, bar in enumerate(bars):
        bar.x = index * BAR_WIDTH + BAR_GAP // 2
        bar.count_h = _height(bar.count, max_count)
        bar.count_y = round(HEIGHT - bar.count_h, 2)
        bar.share_h = _height(bar.share, max_share)
        bar.share_y = round(HEIGHT - bar.share_h, 2)
    return Chart(bars=bars, max_count=max_count, max_share=max_share, width=len(bars) * BAR_WIDTH, unit=unit)


def _is_month(value: str) -> bool:
    return len(value) == 7 and value[:4].isdigit() and value[4] == "-" and value[5:].isdigit()


def _monthly_bars(counts: dict[str, int], corpus_counts: dict[str, int], request: SearchRequest | None) -> list[Bar]:
    bars = []
    for month in months_between(min(counts), max(counts)):
        count = counts.get(month, 0)
        corpus = max(corpus_counts.get(month, 0), count)
        bars.append(Bar(month, count, corpus, count / corpus if corpus else 0.0, in_date_filters(month, request)))
    return bars


def _yearly_bars(counts: dict[str, int], corpus_counts: dict[str, int], request: SearchRequest | None,
                 years_per_bar: int) -> list[Bar]:
    first_year, last_year = int(min(counts)[:4]), int(max(counts)[:4])
    bars = []
    for start in range(first_year, last_year + 1, years_per_bar):
        end = min(start + years_per_bar - 1, last_year)
        label = f"{start:04d}" if start == end else f"{start:04d}–{end:04d}"
        count = sum(c for m, c in counts.items() if start <= int(m[:4]) <= end)
        corpus = max(sum(c for m, c in corpus_counts.items() if _is_month(m) and start <= int(m[:4]) <= end), count)
        selected = any(in_date_filters(f"{year:04d}-{month:02d}", request)
                       for year in (start, end) for month in (1, 12))
        bars.append(Bar(label, count, corpus, count / corpus if corpus else 0.0, selected))
    return bars


def _height(value: float, largest: float) -> float:
    """Bar height in chart units; a month with any article stays visible next to a tall peak."""
    if not value or not largest:
        return 0
    return max(1.5, round(HEIGHT * value / largest, 2))
