"""Figures draw no number for a failed run: its cell is a gap with a mark, never a point."""

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")

from regimes.figures import diagonal, linearisation, matrix, style  # noqa: E402


@pytest.fixture
def captured(monkeypatch):
    """The figures a function draws, kept instead of written."""
    figures = []
    for module in (diagonal, linearisation, matrix, style):
        monkeypatch.setattr(module, "save", lambda fig, path: figures.append(fig), raising=False)
    return figures


def _data_lines(fig):
    """y-data of every line that is not a horizontal reference line (axhline spans the axes in x)."""
    out = []
    for ax in fig.axes:
        for line in ax.get_lines():
            x = np.asarray(line.get_xdata(), dtype=float)
            if line.get_transform() is not ax.transData and len(x) == 2 and tuple(x) == (0.0, 1.0):
                continue  # an axhline / axvline in axes coordinates
            out.append(np.asarray(line.get_ydata(), dtype=float))
    return out


def _marks(fig):
    return sum(
        len(c.get_offsets())
        for ax in fig.axes
        for c in ax.collections
        if c.get_offsets().size and c.get_paths()
    )


def _networks(failed_K):
    rows = []
    for K in ("1", "10", "inf"):
        for seed in (0, 1):
            bad = K in failed_K
            rows.append(
                dict(
                    dataset="digits",
                    architecture="mlp",
                    alpha=1.0,
                    depth=2,
                    width=8,
                    K=K,
                    seed=seed,
                    T=100,
                    converged=not bad,
                    diverged=bad,
                    test_acc=np.nan if bad else 0.9,
                    train_loss=np.nan if bad else 0.1,
                    kernel_distance=np.nan if bad else 0.2,
                    test_error=np.nan if bad else 0.1,
                )
            )
    return pd.DataFrame(rows)


def _history():
    return pd.DataFrame(
        [
            dict(
                dataset="digits",
                architecture="mlp",
                alpha=1.0,
                K=K,
                seed=0,
                step=s,
                train_loss=1.0 / (s + 1),
                test_acc=0.5,
                kernel_distance=0.1,
            )
            for K in ("1", "10", "inf")
            for s in (0, 50, 100)
        ]
    )


def test_a_diverged_K_is_a_marked_gap_in_accuracy_vs_K(captured):
    linearisation.accuracy_vs_K(_networks({"10"}), _history(), "unused.pdf")
    (fig,) = captured
    lines = _data_lines(fig)
    assert lines and all(np.isnan(y[1]) for y in lines if len(y) == 3)  # K = 10 (the middle) drew nothing
    assert _marks(fig) >= 2  # one cross a panel


def test_all_runs_failed_draws_no_number_and_does_not_crash(captured):
    linearisation.accuracy_vs_K(_networks({"1", "10", "inf"}), _history(), "unused.pdf")
    linearisation.kernel_change(_networks({"1", "10", "inf"}), _history(), "unused.pdf")
    for fig in captured:
        assert all(np.isnan(y).all() for y in _data_lines(fig) if len(y) == 3)


def test_sparse_transition_marks_a_failed_cell_and_lists_only_what_it_draws(captured):
    rows = []
    for depth in (2, 3):
        for alpha in (0.01, 0.1, 1.0):
            for seed in (0, 1):
                bad = depth == 3 and alpha == 0.1 and seed == 1
                rows.append(
                    dict(
                        alpha=alpha,
                        depth=depth,
                        seed=seed,
                        n=20,
                        d=60,
                        converged=not bad,
                        diverged=False,
                        test_error=np.nan if bad else 0.5 * alpha,
                        oracle_error=0.5 * alpha,
                        min_l1_error=0.01,
                        min_l2_error=0.9,
                    )
                )
    diagonal.sparse_transition(pd.DataFrame(rows), "unused.pdf")
    (fig,) = captured
    ax = fig.axes[0]
    d3 = [line for line in ax.get_lines() if line.get_label() == "D = 3"][0]
    assert np.isnan(d3.get_ydata()[1]) and np.isfinite(d3.get_ydata()[[0, 2]]).all()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert style.FAILED_LABEL in labels and "not converged in max_steps" not in labels


def test_a_log_axis_with_nothing_positive_stays_linear():
    fig, ax = style.plt.subplots()
    ax.plot([1, 2], [np.nan, np.nan])
    style.safe_log(ax)
    assert ax.get_yscale() == "linear"
    ax.plot([1, 2], [0.1, 1.0])
    style.safe_log(ax)
    assert ax.get_yscale() == "log"
    style.plt.close(fig)


def test_training_curves_leave_out_failed_runs(captured):
    summary = _networks({"10"})
    linearisation.training_curves(summary, _history(), "unused.pdf")
    (fig,) = captured
    labels = [line.get_label() for line in fig.axes[0].get_lines()]
    assert "K = 10: every run failed" in labels and "K = 1" in labels


def test_overlapping_text_is_found_and_a_crowded_K_axis_has_none(captured):
    """The check the figures' save runs: two labels drawn on one spot are found, labels apart are not;
    a K axis as crowded as the Adam variant's paper tier (1000, 1500, 3000 side by side on a log axis)
    draws its ticks apart (they ran together as "10001500300")."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.text(0.5, 0.5, "one label")
    ax.text(0.5, 0.5, "another label")
    ax.text(0.1, 0.9, "far away")
    pairs = style.overlapping_text(fig)
    assert pairs == [("one label", "another label")]
    plt.close(fig)

    rows = []
    for K in ("1", "3", "10", "30", "100", "300", "1000", "1500", "3000", "inf"):
        for seed in (0, 1):
            rows.append(
                dict(
                    experiment="linearised",
                    dataset="digits",
                    architecture="mlp",
                    alpha=1.0,
                    depth=2,
                    width=8,
                    K=K,
                    seed=seed,
                    T=8000,
                    converged=True,
                    diverged=False,
                    test_acc=0.9,
                    train_loss=0.1,
                    kernel_distance=0.1,
                    plateau=True,
                    optimiser="sgd",
                    loss="mse",
                    momentum=0.0,
                )
            )
    summary = pd.DataFrame(rows)
    history = summary.assign(step=100)
    linearisation.accuracy_vs_K(summary, history, "unused.pdf")
    linearisation.kernel_change(summary, history, "unused.pdf")
    for fig in captured:
        assert style.overlapping_text(fig) == []


def test_every_K_of_the_default_K_axis_is_labelled_without_overlap(captured):
    # K = 8400 and 28000 lie half a decade apart: the second label goes one line down rather than
    # vanishing (as it did when crowded labels were blanked), and T / K on top reads 84k, 100, 10, 3, 0
    rows = [
        dict(experiment="linearised", dataset="digits", architecture="mlp", alpha=1.0, depth=3, width=100,
             K=K, seed=seed, T=84000, converged=True, diverged=False, test_acc=0.9, train_loss=0.1,
             kernel_distance=0.1, plateau=True, optimiser="sgd", loss="mse", momentum=0.0)
        for K in ("1", "840", "8400", "28000", "inf") for seed in range(5)
    ]  # fmt: skip
    summary = pd.DataFrame(rows)
    linearisation.accuracy_vs_K(summary, summary.assign(step=100), "unused.pdf")
    fig = captured[0]
    assert style.overlapping_text(fig) == []
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1", "840", "8.4k", "28k", r"$\infty$"]
    (top,) = ax.child_axes
    assert [t.get_text() for t in top.get_xticklabels()] == ["84k", "100", "10", "3", "0"]


def test_step_counts_read_compactly_on_the_K_axis():
    assert [linearisation.compact(k) for k in (1, 840, 1000, 1500, 8400, 28000, 84000, 360000, 10**6)] == [
        "1",
        "840",
        "1k",
        "1.5k",
        "8.4k",
        "28k",
        "84k",
        "360k",
        "1M",
    ]


def test_only_experiments_no_catalogue_figure_draws_get_their_own():
    from regimes.figures import experiment_figures, report_category

    families = {
        "linearised": "network",  # drawn by the K-axis figures
        "linearised_adam": "network",  # drawn beside them
        "sparse": "diagonal",
        "moons_K": "network",  # a user's: its own figure
        "my_sparse": "diagonal",  # no generic figure for the family (yet): none
        "width": "network",  # named like a catalogue figure: none
    }
    assert experiment_figures(families) == ["moons_K"]
    assert report_category("moons_K").endswith("Your experiments")


def test_a_legend_over_the_data_is_found_and_moved_off_it():
    """What the figures' save runs: a legend put over a curve is reported (curve by label), then moved to
    a place that covers nothing; where every place covers some (a curve through every corner), the y
    range is raised to leave room above the data; a legend clear of the data is not reported."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4, 3))
    x = np.linspace(0, 1, 50)
    ax.plot(x, x, label="a diagonal")
    ax.legend(loc="center")
    assert style.legend_over_data(fig) == [("panel 1", "a diagonal")]
    style.place_legends(fig)
    assert style.legend_over_data(fig) == []
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(4, 3))
    for level in (0.05, 0.5, 0.95):  # curves through every corner and side
        ax.plot(x, np.full_like(x, level), label=f"level {level}")
    ax.set_ylim(0, 1)
    ax.legend(loc="center")
    assert len(style.legend_over_data(fig)) >= 1
    style.place_legends(fig)
    assert style.legend_over_data(fig) == [] and ax.get_ylim()[1] > 1.0
    plt.close(fig)


def test_a_reference_far_below_the_data_is_named_not_drawn():
    """width (a) spent most of its height reaching an exact recovery's error of 1e-7: a reference more
    than two decades below the data is a legend entry with its value; one near the data is a line."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.plot([1, 2], [0.1, 1.0])
    style.reference_line(ax, 8e-8, [0.1, 1.0], "min nuclear norm", color="k", linestyle="--")
    style.reference_line(ax, 0.5, [0.1, 1.0], "min Frobenius norm", color="grey", linestyle=":")
    labels = {line.get_label(): line for line in ax.get_lines()}
    assert "min nuclear norm: 8e-08 (below the axis)" in labels
    assert len(labels["min nuclear norm: 8e-08 (below the axis)"].get_xdata()) == 0
    assert tuple(labels["min Frobenius norm"].get_ydata()) == (0.5, 0.5)
    plt.close(fig)


def test_an_all_but_constant_axis_prints_no_offset_and_a_log_axis_masks_zeros():
    """The smoke run's univariate distance, constant to 1e-13, printed "1e-13+6.8320068e-2" above its
    ticks; a log axis drew a 0 as a drop to the axis floor."""
    import matplotlib.pyplot as plt

    fig, (flat, log) = plt.subplots(1, 2)
    flat.plot([0.1, 3.0], [0.068320068, 0.068320068 + 1e-13])
    log.plot([1, 2, 3], [1e-3, 0.0, 1e-5])
    style.safe_log(log)
    style.readable_ranges(fig)
    fig.canvas.draw()
    low, high = flat.get_ylim()
    assert high - low >= 0.02 * 0.0683 * 0.99 and flat.yaxis.get_offset_text().get_text() == ""
    assert not np.isfinite(log.transData.transform([[2.0, 0.0]])[0, 1])  # masked, not clipped to the floor
    plt.close(fig)


def test_a_K_axis_of_K_1_and_inf_alone_gets_a_panel_beside_a_full_axis(captured):
    """``linearised_mnist1d`` (K = 1 and K = inf only) beside ``linearised``: each K-axis figure draws
    both experiments' panels, the short axis with its two ends, and no text runs into other text (would
    catch a panel that needs a finite K to place its axis, or an empty panel)."""

    def rows(experiment, dataset, Ks, acc):
        return [
            dict(experiment=experiment, dataset=dataset, architecture="mlp", alpha=1.0, depth=3, width=8, K=K,
                 seed=seed, T=9000, converged=True, diverged=False, test_acc=acc[K] + 0.01 * seed,
                 train_loss=0.1, kernel_distance=0.0 if K == "inf" else 0.1, plateau=K == "inf",
                 optimiser="sgd", loss="mse", momentum=0.0, batch_size=100)
            for K in Ks for seed in range(5)
        ]  # fmt: skip

    summary = pd.DataFrame(
        rows(
            "linearised",
            "digits",
            ["1", "90", "900", "inf"],
            {"1": 0.97, "90": 0.97, "900": 0.96, "inf": 0.97},
        )
        + rows("linearised_mnist1d", "mnist1d", ["1", "inf"], {"1": 0.5, "inf": 0.43})
    )
    history = summary.assign(step=9000)
    linearisation.accuracy_vs_K(summary, history, "unused.pdf")
    linearisation.kernel_change(summary, history, "unused.pdf")
    for fig in captured:
        assert style.overlapping_text(fig) == []
    values = np.concatenate([y for y in _data_lines(captured[0]) if y.size])
    assert np.isclose(values, 0.52).any() and np.isclose(values, 0.45).any()  # mnist1d's two means drawn
