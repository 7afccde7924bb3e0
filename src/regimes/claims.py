"""The papers' claims as measurable tests on the summary tables:
``claim, paper, measured, threshold, passed, experiment``.

Claims come in sets, by model family (``CLAIMS``); an experiment is checked against the sets its config
names (``claims:``, all of its family's by default).  Each check reads only the experiment's tables
(``summary.csv``, and ``sample_complexity.csv`` where the experiment has one); every value a check needs
(T, the threshold) is a column of its table.  A set that no experiment of the run checks is listed once
with ``passed = not run``.
"""

from __future__ import annotations

import html
import math

import pandas as pd
from scipy.stats import spearmanr

from .diagonal.analyse import alpha_max
from .results import failed

__all__ = ["CLAIMS", "evaluate_claims", "claims_markdown", "claims_html"]

W = "Woodworth et al. 2020"
G = "Goldwaser & Ge 2023"


def _row(claim, paper, measured, threshold, passed):
    return {"claim": claim, "paper": paper, "measured": measured, "threshold": threshold, "passed": passed}


def _strict(values) -> float:
    """The median, NaN when any run is NaN: a failed run is never left out of a claim quietly."""
    return float(values.median(skipna=False))


def _median(frame, column):
    return _strict(frame[column])


def _sparse_claims(s: pd.DataFrame) -> list[dict]:
    rows = []
    s = s[s["K"] == "1"]
    small, large = s["alpha"].min(), s["alpha"].max()
    d2 = s[s["depth"] == 2]
    at_small = d2[d2["alpha"] == small]
    rows.append(_row(f"at the smallest alpha ({small:g}) the depth-2 solution's l1 norm is within 5% of min-l1", W, round(_median(at_small, "l1_ratio"), 4), "<= 1.05", _median(at_small, "l1_ratio") <= 1.05))
    worst_l2 = max(_median(g[g["alpha"] == large], "l2_ratio") for _, g in s.groupby("depth"))
    rows.append(_row(f"at the largest alpha ({large:g}) every depth's l2 norm is within 1% of min-l2", W, round(worst_l2, 4), "<= 1.01", abs(worst_l2 - 1) <= 0.01))
    ratio = _median(at_small, "test_error") / _median(at_small, "min_l1_error")
    rows.append(_row("small alpha generalises like min-l1: depth-2 error at the smallest alpha over the min-l1 error", W, round(ratio, 3), "<= 2", ratio <= 2))
    at_large = s[s["alpha"] == large]
    gap = abs(_median(at_large, "test_error") / _median(at_large, "min_l2_error") - 1)
    rows.append(_row("large alpha generalises like min-l2: |error / min-l2 error - 1| at the largest alpha", W, round(gap, 4), "<= 0.05", gap <= 0.05))
    gap = _median(s, "oracle_gap")
    rows.append(_row("trained solutions are the minimisers of Q_alpha^D (thm. 1, 3): median relative distance over every run", W, float(f"{gap:.3g}"), "<= 0.02", gap <= 0.02))
    # The transition: where the exact limit's error crosses the geometric mean of the two ends.
    mid = math.sqrt(_median(s, "min_l1_error") * _median(s, "min_l2_error"))
    crossing = {}
    for depth, g in s.groupby("depth"):
        curve = g.groupby("alpha")["oracle_error"].agg(_strict)
        above = curve[curve >= mid]
        crossing[int(depth)] = float(above.index.min()) if len(above) else math.inf
    ordered = [crossing[d] for d in sorted(crossing)]
    increasing = len(ordered) > 1 and all(a < b for a, b in zip(ordered, ordered[1:]))
    text = ", ".join(f"D={d}: {a:g}" for d, a in sorted(crossing.items()))
    rows.append(_row("deeper models stay rich up to larger alpha: first alpha whose error passes the mid-point, per depth", W, text, "increasing in D", increasing))
    return rows


def _sample_complexity_claims(table: pd.DataFrame) -> list[dict]:
    threshold = float(table["threshold"].iloc[0])
    nets = table[(table["depth"] == 2)]
    per_n = nets.groupby(["n", "seed"]).apply(lambda g: alpha_max(g["error"], g["alpha"], threshold), include_groups=False).groupby("n").median()
    per_n = per_n.dropna()
    if len(per_n) < 2:
        return [_row("the largest alpha with error <= threshold grows with n (D = 2, fig. 1c)", W, "too few n", "increasing", False)]
    first, last = per_n.iloc[0], per_n.iloc[-1]
    return [_row(f"the largest alpha with error <= {threshold:g} grows with n (D = 2, fig. 1c): n = {per_n.index[0]} -> {per_n.index[-1]}", W, f"{first:g} -> {last:g}", "increases", last > first)]


def _diagonal_K_claims(s: pd.DataFrame) -> list[dict]:
    inf = s[s["K"] == "inf"]
    if not len(inf):
        return []
    worst = float((inf["l2_ratio"] - 1).abs().max())
    return [_row("K = inf (fixed tangent kernel) gives the min-l2 interpolant at every alpha: max |l2 / min-l2 - 1|", G, float(f"{worst:.3g}"), "<= 0.01", worst <= 0.01)]


def _network_claims(s: pd.DataFrame) -> list[dict]:
    rows = []
    steps = int(s["T"].max())
    for (dataset, arch), g in s.groupby(["dataset", "architecture"]):
        acc = g.groupby("K")["test_acc"].agg(_strict)
        if "1" not in acc or "inf" not in acc:
            continue
        drop = acc["1"] - acc["inf"]
        rows.append(_row(f"{dataset}, {arch}: K = inf accuracy is below K = 1 accuracy (difference)", G, round(float(drop), 4), "> 0", drop > 0))
        finite = {k: v for k, v in acc.items() if k != "inf"}
        if steps and len(finite) > 1:
            target = max(1, steps // 10)  # about 10 feature updates
            K_near = min(finite, key=lambda k: abs(math.log(int(k) / target)))
            gap = acc["1"] - finite[K_near]
            rows.append(_row(f"{dataset}, {arch}: about 10 feature updates (K = {K_near}, T/K = {steps // int(K_near)}) come within 3 points of K = 1", G, round(float(gap), 4), "<= 0.03", gap <= 0.03))
        dist = g.groupby("K")["kernel_distance"].agg(_strict)
        order = [math.inf if k == "inf" else int(k) for k in dist.index]
        if len(dist) > 2:
            rho = spearmanr(order, dist.to_numpy()).statistic
            rows.append(_row(f"{dataset}, {arch}: the kernel moves more as K shrinks (Spearman rho of K and final kernel distance)", G, round(float(rho), 3), "< 0", rho < 0))
    return rows


def _ends(frame: pd.DataFrame, column: str, by: str = "alpha") -> tuple[float, float]:
    """Median of ``column`` at the smallest and at the largest value of ``by``."""
    lo, hi = frame[by].min(), frame[by].max()
    return _median(frame[frame[by] == lo], column), _median(frame[frame[by] == hi], column)


def _width_claims(s: pd.DataFrame) -> list[dict]:
    s = s[s["task"] == "completion"]
    low, high = _ends(s, "excess_nuclear", "alpha2_width")
    moved_low, moved_high = _ends(s, "unobserved_change", "alpha2_width")
    curve = s.groupby("alpha2_width")["excess_nuclear"].agg(_strict)
    rho = spearmanr(curve.index, curve.to_numpy()).statistic
    return [
        _row(f"smallest alpha^2 k ({s['alpha2_width'].min():.0e}): the nuclear norm is within 5% of the convex minimum (excess)", W, round(low, 4), "<= 0.05", low <= 0.05),
        _row(f"largest alpha^2 k ({s['alpha2_width'].max():.0e}): the unobserved entries hardly move (moved / needed)", W, round(moved_high, 4), "<= 0.2", moved_high <= 0.2),
        _row("the regime is set by alpha^2 k: excess nuclear norm against alpha^2 k (Spearman rho over all cells)", W, round(float(rho), 3), ">= 0.8", rho >= 0.8),
    ]


def _matrix_claims(s: pd.DataFrame) -> list[dict]:
    rows = []
    for task, g in s.groupby("task"):
        d2 = g[g["depth"] == 2].assign(ratio=lambda t: t["nuclear_norm"] / t["min_nuclear_norm"])
        small, _ = _ends(d2, "ratio")
        err_small, err_large = _ends(g, "test_error")
        rows.append(_row(f"{task}: at the smallest alpha the depth-2 nuclear norm is within 5% of the convex minimum (ratio)", W, round(small, 4), "<= 1.05", small <= 1.05))
        rows.append(_row(f"{task}: recovery error grows from the smallest to the largest alpha (all depths)", W, f"{err_small:.3g} -> {err_large:.3g}", "increases 5-fold", err_large >= 5 * err_small))
        first = {}
        for depth, h in g.groupby("depth"):
            curve = h.groupby("alpha")["excess_nuclear"].agg(_strict)
            above = curve[curve > 0.1]
            first[int(depth)] = float(above.index.min()) if len(above) else math.inf
        ordered = [first[d] for d in sorted(first)]
        ok = len(ordered) > 1 and all(a <= b for a, b in zip(ordered, ordered[1:])) and ordered[0] < ordered[-1]
        rows.append(_row(f"{task}: deeper factorisations stay low-rank up to larger alpha (first alpha with excess nuclear norm > 0.1, per depth)", W, ", ".join(f"D={d}: {a:g}" for d, a in sorted(first.items())), "increasing in D", ok))
    return rows


def _nonlinear_claims(s: pd.DataFrame) -> list[dict]:
    rows = []
    for dataset, g in s.groupby("dataset"):
        trained, baseline = g[g["architecture"] != "rf"], g[g["architecture"] == "rf"]
        small, large = _ends(trained, "test_error")
        rows.append(_row(f"{dataset}: test error grows with alpha (smallest -> largest alpha, trained networks)", W, f"{small:.3f} -> {large:.3f}", "increases", large > small))
        top = trained["alpha"].max()
        for depth, h in trained.groupby("depth"):
            base = baseline[(baseline["depth"] == depth) & (baseline["alpha"] == top)]
            if not len(base):
                continue
            lo, hi = _ends(h, "test_error")
            b = _median(base, "test_error")
            share = (hi - lo) / (b - lo) if b != lo else math.nan
            rows.append(_row(f"{dataset}, D = {depth}: at the largest alpha the error lies between the small-alpha error and the last-layer-only baseline (share of the way; paper's MNIST: 1.4% -> 2.4%, baseline 2.7%)", W, f"{lo:.3f} -> {hi:.3f}, baseline {b:.3f} ({share:.2f})", "between", lo < hi <= b))
        k_small, k_large = _ends(trained, "kernel_distance")
        rows.append(_row(f"{dataset}: the tangent kernel moves less at large alpha (kernel distance, smallest -> largest alpha)", W, f"{k_small:.3g} -> {k_large:.3g}", "falls 10-fold", k_large * 10 <= k_small))
    return rows


def _teacher_claims(s: pd.DataFrame) -> list[dict]:
    rows = []
    for depth, g in s.groupby("depth"):
        small, large = _ends(g, "test_loss")
        k_small, k_large = _ends(g, "kernel_distance")
        rows.append(_row(f"teacher on the circle, D = {depth}: test loss grows with alpha^D and the kernel freezes (loss; kernel distance)", W, f"{small:.3g} -> {large:.3g}; {k_small:.3g} -> {k_large:.3g}", "loss increases, distance falls 10-fold", large > small and k_large * 10 <= k_small))
    return rows


def _univariate_claims(s: pd.DataFrame) -> list[dict]:
    small = s[s["alpha"] == s["alpha"].min()]
    large = s[s["alpha"] == s["alpha"].max()]
    lin, cub = _median(small, "to_linear_spline"), _median(small, "to_cubic_spline")
    k_lin, k_cub = _median(large, "kernel_to_linear_spline"), _median(large, "kernel_to_cubic_spline")
    return [
        _row(f"univariate, smallest alpha ({s['alpha'].min():g}): closer to the linear spline than to the cubic one (distances)", W, f"{lin:.3f} vs {cub:.3f}", "linear < cubic", lin < cub),
        _row(f"univariate, largest alpha ({s['alpha'].max():g}): the kernel limit is closer to the cubic spline than to the linear one", W, f"{k_cub:.3f} vs {k_lin:.3f}", "cubic < linear", k_cub < k_lin),
    ]


def _transition(s: pd.DataFrame, tables: dict) -> list[dict]:
    rows = _sparse_claims(s)
    if tables.get("sample_complexity") is not None:
        rows += _sample_complexity_claims(tables["sample_complexity"])
    return rows


def _on_summary(check):
    return lambda s, tables: check(s)


# family -> claim set -> (whose claim, check of an experiment's summary and its other tables).
CLAIMS = {
    "diagonal": {"transition": (W, _transition), "kernel_limit": (G, _on_summary(_diagonal_K_claims))},
    "network": {"linearisation": (G, _on_summary(_network_claims)), "alpha_transition": (W, _on_summary(_nonlinear_claims))},
    "matrix": {"width": (W, _on_summary(_width_claims)), "depth": (W, _on_summary(_matrix_claims))},
    "teacher": {"teacher": (W, _on_summary(_teacher_claims))},
    "univariate": {"splines": (W, _on_summary(_univariate_claims))},
}


def evaluate_claims(experiments: dict[str, dict]) -> pd.DataFrame:
    """Every claim, with its measured value and pass/fail.

    ``experiments``: ``{name: {"model": family, "claims": [set, ...], "summary": DataFrame, **other tables}}``
    in the run's order (``sample_complexity`` is the one other table read so far)."""
    rows, checked = [], set()
    for name, experiment in experiments.items():
        family, summary = experiment["model"], experiment["summary"]
        broken = int(failed(summary).sum())
        for claim_set in experiment["claims"]:
            _, check = CLAIMS[family][claim_set]
            for row in check(summary, experiment):
                if broken and not isinstance(row["passed"], str) and not bool(row["passed"]):  # a FAIL, not "not run"
                    row["measured"] = f"{row['measured']} ({broken} of {len(summary)} runs failed: no number)"
                rows.append(dict(row, experiment=name))
            checked.add((family, claim_set))
    for family, sets in CLAIMS.items():
        for claim_set, (paper, _) in sets.items():
            if (family, claim_set) not in checked:
                rows.append(dict(_row(f"{family} model: the {claim_set.replace('_', ' ')} claims (no experiment of the run checks them)", paper, "", "", "not run"), experiment=""))
    table = pd.DataFrame(rows, columns=["claim", "paper", "measured", "threshold", "passed", "experiment"])
    table["passed"] = table["passed"].map(lambda v: v if isinstance(v, str) else ("pass" if bool(v) else "FAIL"))
    return table


COLUMNS = ("claim", "paper", "measured", "threshold", "passed", "experiment")


def claims_markdown(table: pd.DataFrame) -> str:
    passed = int((table["passed"] == "pass").sum())
    lines = [f"# Claims of both papers, checked on this run: {passed} of {len(table)} pass", "", "| claim | whose | measured | threshold | passed | experiment |", "| --- | --- | --- | --- | --- | --- |"]
    lines += [f"| {r.claim} | {r.paper} | {r.measured} | {r.threshold} | {'**FAIL**' if r.passed == 'FAIL' else r.passed} | {r.experiment} |" for r in table.itertuples()]
    return "\n".join(lines) + "\n"


CLAIMS_STYLE = (
    "table.claims{border-collapse:collapse;font-family:sans-serif;font-size:14px}"
    "table.claims td,table.claims th{padding:4px 8px;border-bottom:1px solid #ccc;text-align:left;vertical-align:top}"
    "tr.FAIL td{background:#fde0dc}tr.FAIL td.passed{color:#b71c1c;font-weight:bold}"
    "tr.pass td.passed{color:#1b5e20}tr.notrun td{color:#777}"
)


def claims_table_html(table: pd.DataFrame) -> str:
    """The claims as an HTML table: each row with its source (whose claim), FAIL rows highlighted."""
    head = "".join(f"<th>{'whose claim' if c == 'paper' else c}</th>" for c in COLUMNS)
    rows = []
    for record in table.to_dict("records"):
        status = str(record["passed"])
        cells = "".join(f"<td class='{c}'>{html.escape(str(record.get(c, '')))}</td>" for c in COLUMNS)
        rows.append(f"<tr class='{status.replace(' ', '')}'>{cells}</tr>")
    return f"<table class='claims'><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def claims_html(table: pd.DataFrame) -> str:
    passed = int((table["passed"] == "pass").sum())
    failed_ = int((table["passed"] == "FAIL").sum())
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Claims</title><style>{CLAIMS_STYLE}</style></head><body>"
        f"<h1>Claims of both papers: {passed} of {len(table)} pass, {failed_} FAIL</h1>{claims_table_html(table)}</body></html>\n"
    )
