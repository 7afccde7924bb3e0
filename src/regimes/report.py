"""What a reader opens: the claims table as Markdown and HTML, and ``results/report.html``, one
self-contained page that opens on the claims (FAIL highlighted, whose claim each is), then every figure
in the papers' order with its caption, then the summary tables, attached (download links that carry the
CSV itself).  Nothing in it is fetched from elsewhere.  Renders tables only: no science is computed here.
"""

from __future__ import annotations

import base64
import html
import math
import re
from pathlib import Path

import pandas as pd

from .claims import CLOSE

__all__ = [
    "claims_markdown",
    "claims_html",
    "claims_table_html",
    "claims_sections_html",
    "report_html",
    "verdict_line",
    "divergence_report",
    "number",
    "interval",
]

# The columns a reader sees, in order, with their headings.
SHOWN = {
    "claim": "claim",
    "source": "whose claim",
    "measured": "measured (mean over seeds)",
    "interval": "95% interval",
    "threshold": "passes when",
    "seeds": "seeds",
    "passed": "passed",
    "experiment": "experiment",
}

CLAIMS_STYLE = (
    "table.claims{border-collapse:collapse;font-family:sans-serif;font-size:14px}"
    "table.claims td,table.claims "
    "th{padding:4px 8px;border-bottom:1px solid #ccc;text-align:left;vertical-align:top}"
    "tr.FAIL td{background:#fde0dc}tr.FAIL td.passed{color:#b71c1c;font-weight:bold}"
    "tr.pass td.passed{color:#1b5e20}tr.notrun td{color:#777}"
)

STYLE = CLAIMS_STYLE + (
    "body{font-family:sans-serif;max-width:1100px;margin:auto;padding:0 16px}"
    "figure{margin:32px 0}figure img{max-width:100%;border:1px solid #eee}"
    "figcaption{font-size:14px;color:#333}"
    "nav a{margin-right:12px}"
)


def number(x) -> str:
    """A measured value as text: 4 significant digits, ``nan`` for a run that has no number, ``""`` for
    a claim that was not run."""
    if x is None or (isinstance(x, str) and not x):
        return ""
    x = float(x)
    return "nan" if not math.isfinite(x) else f"{x:.4g}"


def interval(low, high) -> str:
    return f"[{number(low)}, {number(high)}]" if number(low) or number(high) else ""


def _shown(row: dict) -> dict[str, str]:
    """One claims row as the text a reader sees (the numbers of ``claims.csv`` formatted, the note
    beside the measured value)."""
    not_run = row.get("passed") == "not run"
    measured = "" if not_run else number(row.get("measured"))
    if row.get("note") and isinstance(row["note"], str):
        measured = f"{measured} ({row['note']})"
    return {
        "claim": str(row.get("claim", "")),
        "source": str(row.get("source", "")),
        "measured": measured,
        "interval": "" if not_run else interval(row.get("low"), row.get("high")),
        "threshold": "" if not_run else _threshold(row.get("side", ""), float(row["threshold"])),
        "seeds": str(row.get("seeds", "")),
        "passed": str(row.get("passed", "")) + (" (close)" if _close(row) else ""),
        "experiment": str(row.get("experiment", "") if isinstance(row.get("experiment"), str) else ""),
    }


def _threshold(side: str, threshold: float) -> str:
    return f"interval within +-{threshold:g}" if side == "within" else f"interval {side} {threshold:g}"


def _close(row: dict) -> bool:
    """A pass or FAIL whose interval comes within its own width of the threshold (``claims.margin``)."""
    value = row.get("margin")
    try:
        value = float(value)
    except (TypeError, ValueError):
        return False
    return row.get("passed") in ("pass", "FAIL") and math.isfinite(value) and abs(value) < CLOSE


def _counts(table: pd.DataFrame) -> tuple[int, int]:
    return int((table["passed"] == "pass").sum()), int((table["passed"] == "FAIL").sum())


def _parts(table: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The claims (the papers' and this project's hypotheses) and the checks of the code
    (``kind == "check"``), apart."""
    check = table["kind"].astype(str).eq("check") if "kind" in table else pd.Series(False, index=table.index)
    return table[~check], table[check]


def verdict_line(table: pd.DataFrame) -> str:
    """The claims' tally in words: those checked (pass, FAIL), then those this run could not check and
    why, so that a run with too few seeds (the smoke tier) does not read as a run whose claims failed;
    the checks of the code counted apart (they are not the papers' claims)."""
    table, checks = _parts(table)
    passed, failed = _counts(table)
    status = table["passed"].astype(str)
    few = int(status.str.startswith("too few seeds").sum())
    not_run = int((status == "not run").sum())
    checked = len(table) - few - not_run
    text = f"{passed} of {checked} checked pass, {failed} FAIL"
    close = sum(_close(row) for row in table.to_dict("records"))
    if close:
        text += f" ({close} close: the interval within its own width of the threshold)"
    if few:
        text += f"; {few} not checked: too few seeds (a claim needs 5; this config has fewer)"
    if not_run:
        text += f"; {not_run} not run (no experiment of this config checks them)"
    if len(checks):
        text += f"; checks of the code apart: {_counts(checks)[0]} of {len(checks)} hold"
    return text


def _markdown_rows(table: pd.DataFrame) -> list[str]:
    lines = ["| " + " | ".join(SHOWN.values()) + " |", "|" + " --- |" * len(SHOWN)]
    for row in table.to_dict("records"):
        shown = _shown(row)
        if row.get("passed") == "FAIL":  # bold, close call or not
            shown["passed"] = shown["passed"].replace("FAIL", "**FAIL**", 1)
        lines.append("| " + " | ".join(shown[c] for c in SHOWN) + " |")
    return lines


def claims_markdown(table: pd.DataFrame) -> str:
    """The claims (the papers' and this project's hypotheses, ``source`` says whose), then the checks of
    the code under their own heading."""
    claims, checks = _parts(table)
    lines = [f"# Claims checked on this run: {verdict_line(table)}", "", *_markdown_rows(claims)]
    if len(checks):
        lines += [
            "",
            "## Checks of the code (identities and agreements by construction, not the papers' claims)",
            "",
            *_markdown_rows(checks),
        ]
    return "\n".join(lines) + "\n"


def claims_table_html(table: pd.DataFrame) -> str:
    """The claims as an HTML table: each row with its source (whose claim), FAIL rows highlighted."""
    head = "".join(f"<th>{html.escape(title)}</th>" for title in SHOWN.values())
    rows = []
    for record in table.to_dict("records"):
        shown = _shown(record)
        cells = "".join(f"<td class='{c}'>{html.escape(shown[c])}</td>" for c in SHOWN)
        rows.append(f"<tr class='{shown['passed'].split(' ')[0].replace('not', 'notrun')}'>{cells}</tr>")
    return f"<table class='claims'><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def claims_sections_html(table: pd.DataFrame) -> str:
    """The claims' table, then the checks of the code in a table of their own."""
    claims, checks = _parts(table)
    out = claims_table_html(claims)
    if len(checks):
        out += (
            "<h3>Checks of the code (identities and agreements by construction, not the papers' "
            f"claims)</h3>{claims_table_html(checks)}"
        )
    return out


def claims_html(table: pd.DataFrame) -> str:
    passed, failed = _counts(table)
    return (
        "<!DOCTYPE html><html><head><meta "
        f"charset='utf-8'><title>Claims</title><style>{CLAIMS_STYLE}</style></head><body>"
        f"<h1>Claims: {html.escape(verdict_line(table))}</h1>{claims_sections_html(table)}</body></html>\n"
    )


def _caption(path) -> str:
    text = Path(path).read_text() if path and Path(path).exists() else ""
    return html.escape(re.sub(r"``([^`]+)``", r"\1", text).strip())


def _data_uri(path, kind: str) -> str:
    return f"data:{kind};base64," + base64.b64encode(Path(path).read_bytes()).decode()


def report_html(
    claims: pd.DataFrame,
    figures: list[tuple[str, str, str]],
    tables: list[tuple[str, str]],
    provenance: str = "",
    run: str = "this run",
) -> str:
    """``figures``: ``(name, png path, caption path)`` in the order to show; ``tables``: ``(experiment,
    summary.csv path)``; ``run``: what the run is (its config files), named in the title."""
    parts = [
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>regimes: claims, figures, "
        f"tables</title><style>{STYLE}</style></head><body>",
        f"<h1>Kernel and rich regimes: {html.escape(run)}</h1>",
        "<nav><a href='#claims'>claims</a><a href='#figures'>figures</a><a href='#tables'>tables</a></nav>",
        f"<h2 id='claims'>Claims: {html.escape(verdict_line(claims))}</h2>",
        claims_sections_html(claims),
        "<h2 id='figures'>Figures</h2>",
    ]
    for name, png, caption in figures:
        parts.append(
            f"<figure id='{name}'><h3>{name}</h3><img alt='{name}' "
            f"src='{_data_uri(png, 'image/png')}'><figcaption>{_caption(caption)}</figcaption></figure>"
        )
    parts.append("<h2 id='tables'>Summary tables (one row per cell and seed)</h2><ul>")
    for experiment, path in tables:
        rows = sum(1 for _ in open(path)) - 1
        parts.append(
            f"<li><a download='{experiment}_summary.csv' "
            f"href='{_data_uri(path, 'text/csv')}'>{experiment}/summary.csv</a> ({rows} rows)</li>"
        )
    parts.append(f"</ul><p style='color:#777;font-size:12px'>{html.escape(provenance)}</p></body></html>\n")
    return "".join(parts)


def divergence_report(config: dict, results="results") -> list[str]:
    """One line per experiment of ``config`` whose summary (under ``results``) holds diverged runs: how
    many, and the key that sets the step to lower (``lr`` where the experiment fixes one, else
    ``step_scale``); empty when none diverged.  Printed at the end of a run, so a user's own experiment
    does not leave its NaNs to be found in the tables."""
    lines = []
    for name, experiment in config.items():
        path = Path(results) / str(name) / "summary.csv"
        if not isinstance(experiment, dict) or not path.exists():
            continue
        table = pd.read_csv(path, usecols=lambda c: c in ("diverged",))
        if "diverged" not in table:
            continue
        count = int(table["diverged"].astype(str).str.lower().eq("true").sum())
        if count:
            train = experiment.get("train") or {}
            key = "lr" if train.get("lr") is not None else "step_scale"
            lines.append(
                f"{name}: {count} of {len(table)} runs diverged (NaN in its tables and figures); lower "
                f"{name}.train.{key} (now {train.get(key)!r})"
            )
    return lines
