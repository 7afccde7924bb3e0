"""regimes: kernel and rich regimes of trained networks, reproduced (Woodworth et al. 2020;
Goldwaser & Ge 2023)."""

__version__ = "0.1.0"
