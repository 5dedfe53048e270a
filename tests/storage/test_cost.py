"""Cost at list prices: request classes as S3 bills them, storage per GB-month, and
which cases carry a cost."""

from __future__ import annotations

import pytest

from benchmarks.errors import UsageError
from benchmarks.storage.cost import Prices, cost_info, requests_usd


def test_put_class_and_get_class_requests_are_priced_apart_and_delete_is_free():
    prices = Prices(gb_month=0.0, get_1k=0.4, put_1k=5.0)
    got = requests_usd({"GET": 1000, "HEAD": 1000, "PUT": 100, "LIST": 100, "DELETE": 999}, prices)
    assert got == pytest.approx(2 * 0.4 + 0.2 * 5.0)


def test_a_remote_case_costs_its_storage_for_a_month_plus_its_requests():
    info = {"file_bytes": 2_000_000_000, "requests": {"GET": 2000}}
    cost = cost_info(info, Prices(), table_case=False)["cost"]
    assert cost["storage_usd_month"] == pytest.approx(2 * 0.023)
    assert cost["requests_usd"] == pytest.approx(2 * 0.0004)
    assert cost["usd"] == pytest.approx(cost["storage_usd_month"] + cost["requests_usd"])
    assert cost["prices"] == {"gb_month": 0.023, "get_1k": 0.0004, "put_1k": 0.005}


def test_a_table_case_counts_every_file_and_a_local_file_case_has_no_cost():
    table = cost_info({"all_bytes": 10**9, "file_bytes": 1}, Prices(), table_case=True)
    assert table["cost"]["usd"] == pytest.approx(0.023) and "requests_usd" not in table["cost"]
    assert cost_info({"file_bytes": 10**9}, Prices(), table_case=False) == {}


@pytest.mark.parametrize("bad", [-0.01, float("nan")])
def test_a_negative_or_nan_price_is_refused_naming_the_flag(bad):
    with pytest.raises(UsageError, match=r"^--price-put-1k .*>= 0, e.g. --price-put-1k 0.005"):
        Prices(put_1k=bad).check()
