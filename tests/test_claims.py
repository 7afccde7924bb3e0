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
    run = table[table["passed"] != "not run"]
    assert (run["passed"] == "pass").all(), table
    assert set(table.loc[table["passed"] == "not run", "claim"].str.split(" ").str[0]) == {"width", "matrix", "nonlinear", "univariate"}
    assert {"claim", "paper", "measured", "threshold", "passed"} == set(table.columns)


def test_claims_fail_on_tables_that_contradict_them():
    table = evaluate_claims({"sparse": _sparse(l1_ratio_small=1.3, crossing_deeper_later=False), "linearised": _networks(0.95)}, steps=1000)
    failed = table[table["passed"] == "FAIL"]["claim"].str.cat(sep=" | ")
    assert "l1 norm is within 5%" in failed
    assert "deeper models stay rich" in failed
    assert "K = inf accuracy is below" in failed


def test_missing_experiments_are_listed_as_not_run():
    table = evaluate_claims({})
    assert set(table["passed"]) == {"not run"} and len(table) == 7


def test_rendering():
    table = evaluate_claims({"linearised": _networks(0.7)}, steps=1000)
    md, html = claims_markdown(table), claims_html(table)
    assert md.startswith("# Claims") and "| claim |" in md
    assert "<table" in html and "K = inf accuracy" in html


def _beyond(rich=True):
    """Tables of the secs. 6-7 experiments that show the transition (``rich=False``: no transition)."""
    width, matrix, nets, teacher, uni = [], [], [], [], []
    for alpha in (1e-3, 1e-2, 0.1):
        for k in (10, 1000):
            a2k = alpha**2 * k
            excess = min(a2k, 5.0) if rich else 0.5
            width.append(dict(task="completion", alpha=alpha, width=k, alpha2_width=a2k, excess_nuclear=excess, unobserved_change=1 / (1 + 10 * a2k)))
    for task in ("sensing", "completion"):
        for depth, onset in ((2, 0.01), (3, 0.1)):
            for alpha in (1e-3, 1e-2, 0.1, 1.0):
                excess = (alpha / onset if alpha > onset else 0.0) if rich else 0.5
                matrix.append(dict(task=task, depth=depth, alpha=alpha, nuclear_norm=1 + excess, min_nuclear_norm=1.0, excess_nuclear=excess, test_error=0.01 + (excess if rich else 0)))
    for arch in ("mlp", "rf"):
        for alpha in (0.1, 10.0):
            error = 0.4 if arch == "rf" else (0.2 if alpha < 1 or not rich else 0.38)
            error = 0.45 if (arch == "mlp" and alpha > 1 and not rich) else error
            nets.append(dict(dataset="digits", architecture=arch, depth=2, alpha=alpha, test_error=error, kernel_distance=0.0 if arch == "rf" else (0.2 if alpha < 1 else 1e-3)))
    for alpha in (0.5, 8.0):
        teacher.append(dict(depth=2, alpha=alpha, alpha_D=alpha**2, test_loss=0.01 if alpha < 1 else 0.05, kernel_distance=0.1 if alpha < 1 else 1e-4))
        uni.append(dict(alpha=alpha, to_linear_spline=0.05 if rich else 0.3, to_cubic_spline=0.2, kernel_to_linear_spline=0.25, kernel_to_cubic_spline=0.1))
    return {"width": pd.DataFrame(width), "matrix_factorisation": pd.DataFrame(matrix), "nonlinear": pd.DataFrame(nets), "nonlinear_teacher": pd.DataFrame(teacher), "univariate": pd.DataFrame(uni)}


def test_claims_beyond_the_diagonal_model_pass_and_fail():
    table = evaluate_claims(_beyond(rich=True))
    beyond = table[table["claim"].str.contains("alpha\\^2 k|sensing|completion|digits|teacher|univariate")]
    assert len(beyond) >= 12
    assert (beyond["passed"] == "pass").all(), beyond
    failed = evaluate_claims(_beyond(rich=False))
    failed = failed[failed["passed"] == "FAIL"]["claim"].str.cat(sep=" | ")
    for words in ("within 5% of the convex minimum", "set by alpha^2 k", "deeper factorisations", "between the small-alpha error", "closer to the linear spline"):
        assert words in failed, words
