"""Compare two runs of the workflow (``regimes.pipeline.compare``; exits 1 when a table differs).

python tools/compare_runs.py RUN_A RUN_B [--rtol 1e-12] [--atol 1e-12]
"""

import sys

from regimes.pipeline.compare import main

if __name__ == "__main__":
    sys.exit(main())
