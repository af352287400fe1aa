"""Accessible charts drawn on the server as inline SVG, so «¿Cómo vamos?» needs no JavaScript.

Every chart is an `<svg role="img">` named by its `<title>` and described by its `<desc>`; the page
puts the same numbers in a table right next to it. Colour is never the only cue: each series has
its own pattern, bars carry their numbers and labels, and the legend repeats the patterns. Colours
are given as SVG presentation attributes (`fill=""`), which the Content-Security-Policy allows,
unlike `style=""`. Every piece of text is escaped here, because titles and theme names are
people's input.
"""
from dataclasses import dataclass

from markupsafe import Markup, escape

FONT_SIZE = 15
LABEL_CHARS = 48


@dataclass(frozen=True)
class Swatch:
    """How one series is painted: a base colour, a pattern over it and an outline."""

    fill: str
    ink: str
    pattern: str | None = None  # "dots", "diagonal", "cross", "lines" or None for solid

    def paint(self, chart_id: str, key: str) -> str:
        return f"url(#{chart_id}-{key})" if self.pattern else self.fill


# Outlines and pattern inks are at least 3:1 against white (WCAG 1.4.11); text stays dark on white.
SWATCHES: dict[str, Swatch] = {
    "not_started": Swatch(fill="#ffffff", ink="#4a5563", pattern="dots"),
    "limited": Swatch(fill="#fff4d6", ink="#7a5200", pattern="diagonal"),
    "substantial": Swatch(fill="#e6f2f4", ink="#0b5d6b", pattern="cross"),
    "complete": Swatch(fill="#1f6b3a", ink="#1f6b3a"),
    "withdrawn": Swatch(fill="#ffffff", ink="#4a5563", pattern="lines"),
    "in_progress": Swatch(fill="#e6f2f4", ink="#0b5d6b", pattern="diagonal"),
    "late": Swatch(fill="#fbe9ea", ink="#a3212a", pattern="cross"),
    "theme": Swatch(fill="#0b5d6b", ink="#0b5d6b"),
    "progress": Swatch(fill="#0b5d6b", ink="#0b5d6b"),
}


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    key: str  # a SWATCHES key


@dataclass(frozen=True)
class Column:
    """One period of a stacked column chart: its label and the counts of each series."""

    label: str
    sublabel: str
    counts: dict[str, int]
    is_current: bool = False


def _short(text: str, limit: int = LABEL_CHARS) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _pattern(chart_id: str, key: str, swatch: Swatch) -> str:
    pid = f"{chart_id}-{key}"
    base = f'<rect width="8" height="8" fill="{swatch.fill}"/>'
    if swatch.pattern == "dots":
        marks = f'<circle cx="4" cy="4" r="1.8" fill="{swatch.ink}"/>'
        transform = ""
    elif swatch.pattern == "diagonal":
        marks = f'<rect x="0" y="0" width="3" height="8" fill="{swatch.ink}"/>'
        transform = ' patternTransform="rotate(45)"'
    elif swatch.pattern == "cross":
        marks = (f'<rect x="0" y="0" width="2" height="8" fill="{swatch.ink}"/>'
                 f'<rect x="0" y="0" width="8" height="2" fill="{swatch.ink}"/>')
        transform = ' patternTransform="rotate(45)"'
    else:  # lines
        marks = f'<rect x="0" y="3" width="8" height="2" fill="{swatch.ink}"/>'
        transform = ""
    return (f'<pattern id="{pid}" width="8" height="8" patternUnits="userSpaceOnUse"{transform}>'
            f"{base}{marks}</pattern>")


def _defs(chart_id: str, keys) -> str:
    patterns = [_pattern(chart_id, k, SWATCHES[k]) for k in dict.fromkeys(keys) if SWATCHES[k].pattern]
    return f"<defs>{''.join(patterns)}</defs>" if patterns else ""


def _open(chart_id: str, title: str, desc: str, width: int, height: int, css: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{css}" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" font-size="{FONT_SIZE}" '
        f'preserveAspectRatio="xMinYMin meet">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>'
    )


def bar_chart(chart_id: str, title: str, desc: str, bars: list[Bar]) -> Markup:
    """Horizontal bars, one per category: its name above it and its number at its end."""
    left, bar_w, row_h, bar_h, top = 4, 400, 52, 20, 6
    width = left + bar_w + 56
    height = top * 2 + row_h * max(len(bars), 1)
    peak = max((b.value for b in bars), default=0) or 1
    parts = [_open(chart_id, title, desc, width, height, "chart chart-bars"),
             _defs(chart_id, (b.key for b in bars))]
    for i, bar in enumerate(bars):
        y = top + i * row_h
        bar_y = y + 24
        swatch = SWATCHES[bar.key]
        length = round(bar_w * bar.value / peak)
        parts.append(
            f"<g><title>{escape(bar.label)}: {bar.value}</title>"
            f'<text x="{left}" y="{y + 16}" fill="#1c2430">{escape(_short(bar.label))}</text>'
        )
        if length:
            parts.append(
                f'<rect x="{left}" y="{bar_y}" width="{length}" height="{bar_h}" '
                f'fill="{swatch.paint(chart_id, bar.key)}" stroke="{swatch.ink}" stroke-width="2"/>'
            )
        parts.append(
            f'<text x="{left + length + 8}" y="{bar_y + bar_h - 4}" fill="#1c2430" '
            f'font-weight="700">{bar.value}</text></g>'
        )
    parts.append(
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{height - top}" '
        'stroke="#1c2430" stroke-width="2"/>'
    )
    parts.append("</svg>")
    return Markup("".join(parts))


def column_chart(chart_id: str, title: str, desc: str, columns: list[Column],
                 series: list[tuple[str, str]], current_label: str = "") -> Markup:
    """Stacked columns per period (the timeline); `series` is [(SWATCHES key, legend label)].

    The total of each period is written above its column and the legend repeats the patterns.
    """
    # `top` leaves room for the tallest column's total and, above it, the "today" label.
    col_w, gap, left, top, plot_h = 44, 18, 36, 48, 200
    legend_row = 26
    legend_w = left + 38 + FONT_SIZE * 0.6 * max((len(label) for _k, label in series), default=0)
    width = round(max(left + len(columns) * (col_w + gap) + gap, legend_w, 240))
    legend_top = top + plot_h + 56
    height = legend_top + legend_row * len(series) + 8
    peak = max((sum(c.counts.values()) for c in columns), default=0) or 1
    keys = [key for key, _label in series]
    parts = [_open(chart_id, title, desc, width, height, "chart chart-columns"),
             _defs(chart_id, keys)]
    base_y = top + plot_h
    for i, column in enumerate(columns):
        x = left + gap + i * (col_w + gap)
        total = sum(column.counts.get(k, 0) for k in keys)
        parts.append(f"<g><title>{escape(column.label)} {escape(column.sublabel)}: {total}</title>")
        if column.is_current:
            parts.append(
                f'<rect x="{x - gap / 2}" y="{top - 44}" width="{col_w + gap}" height="{plot_h + 44}" '
                'fill="#fff4d6" stroke="#7a5200" stroke-width="1" stroke-dasharray="4 3"/>'
            )
        y = base_y
        for key in keys:
            count = column.counts.get(key, 0)
            if not count:
                continue
            h = plot_h * count / peak
            y -= h
            swatch = SWATCHES[key]
            parts.append(
                f'<rect x="{x}" y="{y:.1f}" width="{col_w}" height="{h:.1f}" '
                f'fill="{swatch.paint(chart_id, key)}" stroke="{swatch.ink}" stroke-width="2"/>'
            )
        parts.append(
            f'<text x="{x + col_w / 2}" y="{y - 6:.1f}" text-anchor="middle" font-weight="700" '
            f'fill="#1c2430">{total}</text>'
            f'<text x="{x + col_w / 2}" y="{base_y + 20}" text-anchor="middle" fill="#1c2430">'
            f"{escape(column.label)}</text>"
            f'<text x="{x + col_w / 2}" y="{base_y + 38}" text-anchor="middle" fill="#4a5563">'
            f"{escape(column.sublabel)}</text>"
        )
        if column.is_current and current_label:
            parts.append(
                f'<text x="{x + col_w / 2}" y="{top - 26}" text-anchor="middle" fill="#7a5200" '
                f'font-weight="700">{escape(current_label)}</text>'
            )
        parts.append("</g>")
    parts.append(
        f'<line x1="{left}" y1="{base_y}" x2="{width - 4}" y2="{base_y}" stroke="#1c2430" '
        'stroke-width="2"/>'
    )
    for i, (key, label) in enumerate(series):
        y = legend_top + i * legend_row
        swatch = SWATCHES[key]
        parts.append(
            f'<rect x="{left}" y="{y}" width="28" height="18" fill="{swatch.paint(chart_id, key)}" '
            f'stroke="{swatch.ink}" stroke-width="2"/>'
            f'<text x="{left + 38}" y="{y + 14}" fill="#1c2430">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def progress_bar(chart_id: str, title: str, desc: str, fraction: float) -> Markup:
    """A commitment's progress: a bar filled to `fraction` (0–1) with a tick every quarter."""
    width, height = 200, 16
    fill = round(width * max(0.0, min(1.0, fraction)), 1)
    swatch = SWATCHES["progress"]
    ticks = "".join(
        f'<line x1="{width * q / 4}" y1="0" x2="{width * q / 4}" y2="{height}" stroke="#4a5563" '
        'stroke-width="1"/>'
        for q in (1, 2, 3)
    )
    return Markup(
        _open(chart_id, title, desc, width, height, "progress-bar")
        + f'<rect x="1" y="1" width="{width - 2}" height="{height - 2}" fill="#ffffff" '
        'stroke="#4a5563" stroke-width="2"/>'
        + (f'<rect x="1" y="1" width="{max(fill - 2, 0)}" height="{height - 2}" '
           f'fill="{swatch.fill}"/>' if fill else "")
        + ticks
        + "</svg>"
    )
