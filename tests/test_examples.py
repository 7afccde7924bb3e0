"""The examples run: the notebook's cells in order (its asserts included), the extension file's data
set and architecture through the Python API."""

import nbformat
import numpy as np

from .conftest import ROOT


def test_the_api_notebook_runs_cell_by_cell():
    notebook = nbformat.read(ROOT / "examples" / "api_tour.ipynb", as_version=4)
    namespace: dict = {}
    cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert len(cells) >= 4
    for cell in cells:
        exec(compile(cell.source, "api_tour.ipynb", "exec"), namespace)
    assert namespace["gap"] < 1e-3


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
