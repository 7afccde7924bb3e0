"""The depth-D diagonal linear network (Woodworth et al. 2020, secs. 3-4; docs/science.md sec. 1).

- ``model``: ``beta = w_+^D - w_-^D``, its gradient and Taylor model;  ``tangent``: its analytic NTK;
- ``potential``: ``h_D``, ``H_D``, ``q_D`` and ``Q_alpha^D``;  ``exact``: the flow's exact limit (dual
  Newton), min-l1 and min-l2 interpolants;
- ``gd`` and ``mirror``: the two integrators of the flow;  ``train``: a job's batch of cells;
- ``data``: sparse regression;  ``analyse``: per-cell tables and sample complexity.

Modules that train import torch; ``potential``, ``tangent``, ``exact``, ``data`` and ``analyse`` do not.
"""
