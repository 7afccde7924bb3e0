"""regimes: kernel and rich regimes of trained networks, reproduced (Woodworth et al. 2020;
Goldwaser & Ge 2023).

One subpackage per model family, each with the same inner roles (``model``/``architectures``, ``exact``,
``train``, ``analyse``, ``data``): ``regimes.diagonal``, ``regimes.networks``, ``regimes.matrix``; shared
pieces beside them (``grid``, ``kernels``, ``batched``, ``results``, ``claims``, ``report``,
``figures``) and the workflow's plumbing in ``regimes.pipeline``.  The formulas, with the papers'
sections and the functions that compute them: docs/science.md.  Importing the package imports no torch;
the trainers do.
"""

__version__ = "0.2.0"
