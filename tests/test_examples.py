"""The examples run: the notebook's cells in order (its asserts included), the extension file's data
set and architecture through the Python API."""

import numpy as np

from .conftest import ROOT


def test_the_api_notebook_runs_and_prints_what_it_has_saved():
    """The notebook is shipped with outputs (tools/run_notebook.py): every code cell has some, a fresh run
    prints the same text (numbers aside: their last digits may differ between machines), and its asserts
    hold: the diagonal cell lands on its exact limit, both networks have levelled off, and only K = 1
    moves the kernel."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("run_notebook", ROOT / "tools" / "run_notebook.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    path = ROOT / "examples" / "api_tour.ipynb"
    saved = tool.saved(path)
    assert len(saved) >= 4 and all(saved), "a code cell without saved outputs: run make notebook"
    notebook, printed = tool.run(path)
    assert [tool.shape(t) for t in printed] == [tool.shape(t) for t in saved]


def test_a_registered_data_set_and_architecture_are_used_like_the_built_in_ones():
    from regimes.networks.architectures import build
    from regimes.networks.data import classification_dataset
    from regimes.networks.registry import ARCHITECTURES, DATASETS, load_extensions

    load_extensions([ROOT / "examples" / "toy_extension.py"])
    load_extensions([ROOT / "examples" / "toy_extension.py"])  # once per process: no double registration
    assert "moons" in DATASETS and "tanh_mlp" in ARCHITECTURES
    data = classification_dataset("moons", seed=0, n_train=40, n_test=10)
    assert data["X"].shape == (40, 2) and set(np.unique(data["y"])) == {0, 1}

    def weights(alpha):
        model = build("tanh_mlp", data["shape"], width=8, depth=3, d_out=2, alpha=alpha, seed=0)
        return [m.weight.detach() for m in model.modules() if hasattr(m, "weight")]

    half, one = weights(0.5), weights(1.0)
    assert len(one) == 3 and all(
        bool((h == 0.5 * w).all()) for h, w in zip(half, one)
    )  # one He draw, times alpha
