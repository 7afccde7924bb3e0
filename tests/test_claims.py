"""Claims are computed from the tables and can fail."""
import pandas as pd

from regimes.claims import claims_html, claims_markdown, evaluate_claims


def _sparse(l1_ratio_small=1.01, crossing_deeper_later=True):
    rows = []
    for depth, shift in ((2, 1.0), (3, 10.0 if crossing_deeper_later else 0.1)):
        for alpha in (1e-3, 1e-2, 1e-1, 1.0, 10.0):
            err = 0.01 + 0.89 / (1 + (shift * 1e-2 / alpha) ** 2)
            for seed in (0, 1):
                rows.append(
                    dict(alpha=alpha, depth=depth, width=1, K=1, seed=seed, test_error=err, oracle_error=err, min_l1_error=0.01, min_l2_error=0.9,
                         l1_ratio=l1_ratio_small if alpha == 1e-3 else 2.0, l2_ratio=1.0 if alpha == 10.0 else 2.0, oracle_gap=1e-3, converged=True)
                )
    return pd.DataFrame(rows)


def _networks(acc_inf):
    rows = []
    for K, acc, dist in (("1", 0.9, 0.3), ("10", 0.89, 0.2), ("100", 0.88, 0.1), ("inf", acc_inf, 0.0)):
        rows.append(dict(dataset="digits", architecture="mlp", K=K, seed=0, test_acc=acc, kernel_distance=dist))
    return pd.DataFrame(rows)


def test_claims_pass_on_tables_that_show_them():
    table = evaluate_claims({"sparse": _sparse(), "linearised": _networks(0.7)}, steps=1000)
    assert (table["passed"] == "pass").all(), table
    assert {"claim", "paper", "measured", "threshold", "passed"} == set(table.columns)


def test_claims_fail_on_tables_that_contradict_them():
    table = evaluate_claims({"sparse": _sparse(l1_ratio_small=1.3, crossing_deeper_later=False), "linearised": _networks(0.95)}, steps=1000)
    failed = table[table["passed"] == "FAIL"]["claim"].str.cat(sep=" | ")
    assert "l1 norm is within 5%" in failed
    assert "deeper models stay rich" in failed
    assert "K = inf accuracy is below" in failed


def test_missing_experiments_are_listed_as_not_run():
    table = evaluate_claims({})
    assert set(table["passed"]) == {"not run"} and len(table) == 2


def test_rendering():
    table = evaluate_claims({"linearised": _networks(0.7)}, steps=1000)
    md, html = claims_markdown(table), claims_html(table)
    assert md.startswith("# Claims") and "| claim |" in md
    assert "<table" in html and "K = inf accuracy" in html
