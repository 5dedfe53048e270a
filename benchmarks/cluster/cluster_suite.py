"""The suite's cases run on a Dask cluster; the runner passes this file to pytest on --cluster.

Not named ``test_*.py``: ``pytest benchmarks/`` (no cluster) does not collect it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.cluster.execute import ClusterState, run_cluster_case
from benchmarks.suite.cases import Case
from benchmarks.suite.config import RunConfig
from benchmarks.suite.execute import storage_root


@pytest.fixture(scope="session")
def fb_cluster(fb_config: RunConfig, fb_workdir: Path):
    """A client of the runner's cluster, for the whole worker session."""
    from dask.distributed import Client

    runtime = fb_config.cluster_runtime
    if not runtime:
        pytest.skip("no cluster: run through fmtbench run --cluster local[:N]")
    root = storage_root(fb_config, fb_workdir)  # s3:// for a remote cluster (checked)
    with Client(runtime["address"], timeout="30s") as client:
        yield ClusterState(client, root, runtime["workers"])


def test_format_on_cluster(benchmark, fb_skip, fb_case: Case, fb_config: RunConfig, fb_cluster):
    """Time one case on the cluster; extra_info carries the result contract's keys."""
    run_cluster_case(benchmark, fb_config, fb_case, fb_cluster)
