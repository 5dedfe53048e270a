"""pytest entry point for ``pytest benchmarks/``: the suite's hooks live in suite/plugin.py.

pytest only takes ``--fb-*`` options from a conftest at the path it is given, so this
file re-exports the plugin's hooks and fixtures rather than holding them.
"""

from benchmarks.suite.plugin import *  # noqa: F403
from benchmarks.suite.plugin import _config  # noqa: F401
