"""Networks: iterative linearisation (Goldwaser & Ge 2023) and non-linear networks between the regimes
(Woodworth et al. 2020, sec. 7); docs/science.md secs. 1.7 and 2.

- ``architectures``: every network, one He x alpha initialisation, centring;  ``ntk``: empirical NTK;
- ``linearise``: training re-linearised every K steps;  ``interpolate``: full-batch training to
  interpolation;  ``exact``: the kernel-regime limit and the splines;
- ``data``: classification data, the circle teacher, points on a line;  ``train``: a job's cells;
  ``analyse``: per-cell tables.

``exact`` (splines), ``data`` and ``analyse`` import no torch at import time.
"""
