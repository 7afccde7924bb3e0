"""Factorised matrices: width (``U V^T``) and depth (products of D factors) on matrix sensing and
completion (Woodworth et al. 2020, sec. 6; docs/science.md sec. 1.6).

- ``problems``: sensing and completion problems, nuclear norm, movement of unobserved entries;
- ``exact``: the certified minimum-nuclear-norm and the minimum-Frobenius interpolants;
- ``factorised``: the model, its trainer and its kernel solution;  ``train``: a job's cells;
- ``analyse``: per-cell tables.

``problems``, ``exact`` and ``analyse`` are numpy only.
"""
