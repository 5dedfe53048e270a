"""case_info: the contract keys a case carries before it runs."""

from __future__ import annotations

import formats
from benchmarks.suite.cases import Case, case_info


def test_case_info_records_how_results_become_arrow():
    for name in formats.names():
        info = case_info(Case("mixed", 10, name, formats.get(name).codecs[0], "read"))
        assert info["arrow_handover"] == formats.registry[name].arrow_handover
    assert case_info(Case("mixed", 10, "parquet-pyarrow", "snappy", "read"))["arrow_handover"] == (
        "native"
    )
