"""Networks: iterative linearisation (Goldwaser & Ge 2023) and non-linear networks between the regimes
(Woodworth et al. 2020, sec. 7); docs/science.md secs. 1.7 and 2.

- ``registry``: data sets and architectures by name (yours too);  ``architectures``: every network, one
  He x alpha initialisation, centring;  ``ntk``: the empirical NTK;
- ``linearise``: one model trained re-linearised every K steps;  ``ensemble``: every (K, seed, learning
  rate) of a job as one stacked model, plain or linearised;  ``gauss_newton``: a round of iterative
  linearisation beside the damped Gauss-Newton step;
- ``teacher``: ReLU students of a ReLU teacher on the circle (fig. 6);  ``univariate``: the wide
  univariate network at a layer balance (fig. 7);  ``exact``: the kernel-regime limit and the splines;
- ``data``: classification data, the circle teacher, points on a line;  ``local``: MNIST and CIFAR-10
  from local copies;  ``train``: a job's cells of the ``network`` family;  ``records``: the names of
  what a network's training records;  ``analyse``: per-cell tables.

``exact`` (splines), ``data``, ``records`` and ``analyse`` import no torch at import time.
"""
