"""Charts beside the tables that hold their figures (statistics, dashboards).

A chart is data: the view builds it with `chart()`, the template shows it with
`{% include "includes/chart.html" %}`, and static/js/charts.js draws it with the vendored Chart.js
(static/vendor/chartjs). The figures travel in a `json_script` block, never in inline script, so
the Content-Security-Policy stays strict; the table beside the chart carries the same numbers for
readers without script, for print and for screen readers."""

import re
from collections.abc import Sequence

KINDS = ("bar", "line", "pie", "doughnut")


def chart(chart_id: str, kind: str, labels: Sequence, series: dict, *, title: str = "") -> dict | None:
    """A chart of one or more series over `labels` (`series`: {series name: [value per label]}).
    None when there is nothing to draw, so the template shows 暂无数据 instead of empty axes."""
    if kind not in KINDS:
        raise ValueError(f"unknown chart kind {kind!r}")
    datasets = [{"label": str(name), "data": [_number(value) for value in values]} for name, values in series.items()]
    if not labels or not any(any(value for value in dataset["data"]) for dataset in datasets):
        return None
    return {
        "id": "chart-" + re.sub(r"[^a-z0-9-]", "-", chart_id.lower()),
        "type": kind,
        "title": str(title),
        "labels": [str(label) for label in labels],
        "datasets": datasets,
    }


def _number(value):
    return 0 if value is None else float(value) if not isinstance(value, int) else value
