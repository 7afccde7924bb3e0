"""Workflow plumbing: atomic result files and tables (``io``), provenance (``provenance``), code
versions (``code``), the start of every workflow job (``job``), the comparison of two runs
(``compare``), the model families (``families``) and config validation (``config``, which fills the
schema's choices from the science's registries when a config is checked).  No science lives here:
apart from ``config``, nothing in it imports a module of the package outside it but the grid's
spelling of values (``regimes.grid``), so editing a model family reruns that family's jobs alone."""
