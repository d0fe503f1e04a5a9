"""The analytics report as a PDF (reportlab): the workspace and period, the totals,
a bar chart of engagement per day, the days, the accounts and the best posts.

`render(scope, invariant=True)` writes the same bytes for the same data and leaves
pages uncompressed, so a test can read the text in it.
"""

from __future__ import annotations

from io import BytesIO

from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.translation import gettext as _
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from scheduler import analytics

BRAND = colors.HexColor("#4f46e5")
GRID = TableStyle(
    [
        ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("TEXTCOLOR", (0, 0), (-1, 0), colors.HexColor("#475467")),
        ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.HexColor("#d0d5dd")),
        ("LINEBELOW", (0, 1), (-1, -1), 0.3, colors.HexColor("#eaecf0")),
        ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
)


def shown(value: object) -> str:
    """A figure as text: "not given" where the network gives none."""
    return _("not given") if value is None else str(value)


def engagement_chart(days: list[dict[str, object]]) -> Drawing:
    width, height = 170 * mm, 55 * mm
    drawing = Drawing(width, height)
    chart = VerticalBarChart()
    chart.x, chart.y = 25, 20
    chart.width, chart.height = width - 35, height - 30
    chart.data = [[int(d["engagement"]) for d in days]]  # type: ignore[call-overload]
    chart.bars[0].fillColor = BRAND
    chart.bars[0].strokeColor = None
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontSize = 7
    step = max(1, len(days) // 10)
    chart.categoryAxis.categoryNames = [
        d["date"].strftime("%d/%m") if i % step == 0 else ""  # type: ignore[attr-defined]
        for i, d in enumerate(days)
    ]
    chart.categoryAxis.labels.fontSize = 7
    drawing.add(chart)
    return drawing


def table(header: list[str], rows: list[list[object]], widths: list[float] | None = None) -> Table:
    found = Table([header, *rows], colWidths=widths, repeatRows=1, hAlign="LEFT")
    found.setStyle(GRID)
    return found


def render(scope: analytics.Scope, invariant: bool = False) -> bytes:
    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=8, leading=10)
    first = scope.start.astimezone(scope.zone).date()
    last = (scope.end - scope.start.resolution).astimezone(scope.zone).date()
    totals = analytics.totals(scope)
    days = analytics.daily(scope)
    story = [
        Paragraph(
            escape(_("Analytics: %(workspace)s") % {"workspace": scope.workspace.name}),
            styles["Title"],
        ),
        Paragraph(
            _("%(first)s to %(last)s (%(zone)s)")
            % {"first": date_format(first), "last": date_format(last), "zone": scope.zone.key},
            styles["Normal"],
        ),
        Spacer(1, 5 * mm),
        table(
            [
                _("Posts"),
                _("Impressions"),
                _("Engagement"),
                _("Engagement rate"),
                _("SMO link clicks"),
                _("Followers gained"),
            ],
            [
                [
                    totals["posts"],
                    shown(totals["impressions"]),
                    totals["engagement"],
                    shown(totals["engagement_rate"])
                    + ("%" if totals["engagement_rate"] is not None else ""),
                    totals["clicks"],
                    shown(totals["followers_gained"]),
                ]
            ],
        ),
        Spacer(1, 5 * mm),
        Paragraph(_("Engagement per day"), styles["Heading2"]),
        engagement_chart(days),
        table(
            [
                _("Day"),
                _("Posts"),
                _("Engagement"),
                _("Impressions"),
                _("SMO link clicks"),
                _("Followers"),
            ],
            [
                [
                    d["date"].isoformat(),
                    d["posts"],
                    d["engagement"],
                    shown(d["impressions"]),  # type: ignore[attr-defined]
                    d["clicks"],
                    shown(d["followers"]),
                ]
                for d in days
            ],
        ),
        Paragraph(_("Per account"), styles["Heading2"]),
        table(
            [
                _("Account"),
                _("Network"),
                _("Posts"),
                _("Engagement"),
                _("Impressions"),
                _("SMO link clicks"),
            ],
            [
                [
                    r["name"],
                    r["network"],
                    r["posts"],
                    r["engagement"],
                    shown(r["impressions"]),
                    r["clicks"],
                ]
                for r in analytics.by_account(scope)
            ],
        ),
        Paragraph(_("Best posts"), styles["Heading2"]),
        table(
            [_("Post"), _("Account"), _("Published"), _("Engagement"), _("Impressions")],
            [
                [
                    Paragraph(escape(" ".join(d.post.text.split())[:120]), small),
                    d.account.name,
                    d.published_at.astimezone(scope.zone).strftime("%Y-%m-%d %H:%M"),  # type: ignore[union-attr]
                    d.engagement,  # type: ignore[attr-defined]
                    shown(d.metrics.impressions),
                ]
                for d in analytics.best_posts(scope)
            ],
            widths=[75 * mm, 35 * mm, 30 * mm, 20 * mm, 20 * mm],
        ),
    ]
    out = BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        title=_("Analytics: %(workspace)s") % {"workspace": scope.workspace.name},
        author="SMO",
        invariant=int(invariant),
        pageCompression=0 if invariant else 1,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
    )
    doc.build(story)
    return out.getvalue()
