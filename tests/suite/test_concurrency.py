"""Two writers at once: real processes, a tiny table, every landed commit checked."""

from __future__ import annotations

import pytest

from benchmarks.suite import concurrency
from tests.conftest import make_small_table


def test_two_lance_appenders_land_every_commit_once():
    r = concurrency.two_writers("lance", make_small_table(), "id", "x", "append", 2, 3)
    assert [w["exitcode"] for w in r["writers"]] == [0, 0]
    assert r["landed"] + r["conflicts"] == 4
    assert r["ok"] and r["lost"] == 0 and r["duplicated"] == 0 and r["unexpected"] == 0
    assert r["rows"] == 50 + 3 * r["landed"]


def test_commits_of_different_writers_never_share_a_key():
    t = make_small_table()
    a = concurrency.tagged(t, "id", 0, 1, 3).column("id").to_pylist()
    b = concurrency.tagged(t, "id", 1, 1, 3).column("id").to_pylist()
    assert min(a + b) > 49 and not set(a) & set(b)


def test_an_unknown_mode_is_refused():
    with pytest.raises(ValueError, match="use one of append, update"):
        concurrency.two_writers("lance", make_small_table(), "id", "x", "rename", 1, 1)
