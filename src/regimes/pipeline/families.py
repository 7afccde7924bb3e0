"""The model families: every experiment in a config names one (``model: <family>``), and the workflow's
rules, the schema and the claims derive everything else from it.  A new experiment of an existing
family is a new config section and nothing else.

Each family has a definition of the same name in ``config.schema.yaml``, a rule file in
``workflow/rules/`` and a set of claims in ``regimes.claims.CLAIMS``.
"""

from __future__ import annotations

__all__ = ["FAMILIES"]

FAMILIES = {
    "diagonal": "the depth-D diagonal network on sparse regression (Woodworth et al. 2020, secs. 3-4)",
    "network": "networks on classification data, re-linearised every K steps (Goldwaser & Ge 2023; Woodworth "
    "et al. sec. 7)",
    "matrix": "factorised matrices on matrix sensing and completion (Woodworth et al. sec. 6)",
    "teacher": "ReLU students of a ReLU teacher on the circle (Woodworth et al. fig. 6)",
    "univariate": "a wide univariate ReLU network on points of a line (Woodworth et al. fig. 7)",
    "gauss_newton": "iterative linearisation beside damped Gauss-Newton, full batch (Goldwaser & Ge 2023, "
    "sec. 2.4)",
}
