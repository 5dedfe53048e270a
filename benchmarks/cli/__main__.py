"""``python -m benchmarks.cli``: the same as the ``fmtbench`` console script."""

import sys

from benchmarks.cli.main import main

sys.exit(main())
