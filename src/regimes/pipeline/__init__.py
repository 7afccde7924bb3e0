"""Workflow plumbing: config validation (``config``), atomic result files and tables (``io``), provenance
and code versions (``provenance``), the start of every workflow job (``job``) and the registry of model
families (``families``).  No science lives here."""
