"""``results/report.html``: one self-contained page that opens on the claims (FAIL highlighted, whose
claim each is), then every figure in the papers' order with its caption, then the summary tables,
attached (download links that carry the CSV itself).  Nothing in it is fetched from elsewhere."""

from __future__ import annotations

import base64
import html
import re
from pathlib import Path

import pandas as pd

from ..claims import CLAIMS_STYLE, claims_table_html

__all__ = ["report_html"]

STYLE = CLAIMS_STYLE + (
    "body{font-family:sans-serif;max-width:1100px;margin:auto;padding:0 16px}"
    "figure{margin:32px 0}figure "
    "img{max-width:100%;border:1px solid #eee}figcaption{font-size:14px;color:#333}"
    "nav a{margin-right:12px}"
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
) -> str:
    """``figures``: ``(name, png path, caption path)`` in the order to show; ``tables``: ``(experiment,
    summary.csv path)``."""
    passed, failed = int((claims["passed"] == "pass").sum()), int((claims["passed"] == "FAIL").sum())
    parts = [
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>regimes: claims, figures, "
        f"tables</title><style>{STYLE}</style></head><body>",
        "<h1>Kernel and rich regimes: this run</h1>",
        "<nav><a href='#claims'>claims</a><a href='#figures'>figures</a><a href='#tables'>tables</a></nav>",
        f"<h2 id='claims'>Claims of both papers: {passed} of {len(claims)} pass, {failed} FAIL</h2>",
        claims_table_html(claims),
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
