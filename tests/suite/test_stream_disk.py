"""The free-disk check of streamed cases: a read of a file already written needs no space."""

from __future__ import annotations

import shutil

import pytest

import formats
from benchmarks.suite.execute import check_disk_for_stream


def test_disk_check_counts_only_the_file_a_case_adds(tmp_path) -> None:
    csv = formats.get("csv-pyarrow")
    free = shutil.disk_usage(tmp_path).free
    too_big = free  # as Arrow bytes: x3 for text is more than the disk holds
    with pytest.raises(pytest.skip.Exception, match="not enough free disk .* csv-pyarrow"):
        check_disk_for_stream(csv, "read_column", too_big, None, tmp_path)  # must write it first
    # the file is already there (SF 10 CSV was skipped for 60 GB it did not need)
    check_disk_for_stream(csv, "read_column", too_big, free // 2, tmp_path)
    check_disk_for_stream(csv, "read_stream", too_big, free // 2, tmp_path)
    with pytest.raises(pytest.skip.Exception, match="GB free; pass --workdir"):
        check_disk_for_stream(csv, "write", 1, free + 1, tmp_path)  # one more copy of it
    check_disk_for_stream(csv, "write", 1000, None, tmp_path)
