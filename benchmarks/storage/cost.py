"""What a case costs on object storage at list prices: its bytes stored for a month, plus
the requests one call of it sent.

Prices are run and report options (``--price-gb-month``, ``--price-get-1k``,
``--price-put-1k``); the defaults are AWS S3 Standard's us-east-1 list prices (README,
"Lakehouse tables"). Request classes follow S3's price list: PUT, COPY, POST and LIST are
billed at the PUT price, GET, HEAD and the rest at the GET price; DELETE is free.
Requests are known only where the recording proxy counted them (remote runs); bytes
are known for every case, so a local table case still shows its storage cost.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from benchmarks.errors import UsageError

#: Billed at the PUT price; DELETE costs nothing; every other verb at the GET price.
PUT_CLASS = frozenset({"PUT", "POST", "LIST", "COPY"})
FREE = frozenset({"DELETE"})


@dataclass(frozen=True)
class Prices:
    """US dollars: per GB stored for a month, per 1,000 GET-class, per 1,000 PUT-class."""

    gb_month: float = 0.023
    get_1k: float = 0.0004
    put_1k: float = 0.005

    def check(self) -> Prices:
        """UsageError naming the flag when a price is negative or not a number."""
        for flag, value in (
            ("--price-gb-month", self.gb_month),
            ("--price-get-1k", self.get_1k),
            ("--price-put-1k", self.put_1k),
        ):
            if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
                raise UsageError(
                    f"{flag} {value}: a price in US dollars must be a number >= 0, "
                    f"e.g. {flag} {getattr(Prices(), _FIELD[flag])}"
                )
        return self


_FIELD = {"--price-gb-month": "gb_month", "--price-get-1k": "get_1k", "--price-put-1k": "put_1k"}


def requests_usd(requests: dict[str, int], prices: Prices) -> float:
    """Dollars for the requests by verb (as the proxy counts them)."""
    put = sum(n for verb, n in requests.items() if verb in PUT_CLASS)
    get = sum(n for verb, n in requests.items() if verb not in PUT_CLASS | FREE)
    return put / 1000 * prices.put_1k + get / 1000 * prices.get_1k


def stored_bytes(info: dict[str, Any]) -> int | None:
    """The bytes a case keeps on storage: every file of a table, else the file written."""
    for key in ("all_bytes", "file_bytes"):
        value = info.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return int(value)
    return None


def cost_info(info: dict[str, Any], prices: Prices, table_case: bool) -> dict[str, Any]:
    """``{"cost": {...}}`` for a remote case (requests counted) or a table case, else {}.

    ``usd`` is the month of storage plus one call's requests: what keeping the data and
    running the operation once costs; both parts are kept for readers who weigh them apart.
    """
    requests = info.get("requests")
    if not requests and not table_case:
        return {}
    cost: dict[str, Any] = {"prices": asdict(prices)}
    stored = stored_bytes(info)
    if stored is not None:
        cost["storage_usd_month"] = stored / 1e9 * prices.gb_month
    if requests:
        cost["requests_usd"] = requests_usd(requests, prices)
    parts = [cost.get("storage_usd_month"), cost.get("requests_usd")]
    if all(p is None for p in parts):
        return {}
    cost["usd"] = sum(p for p in parts if p is not None)
    return {"cost": cost}
