"""One function per figure of the catalogue (SPEC 4); each takes tables and writes ``<name>.pdf`` and ``.png``."""
