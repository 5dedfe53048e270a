"""Which worker-process parts of each case are done, and which a worker must run next.

With ``--processes P`` every case is timed in P fresh workers (parts 0..P-1), pyperf
style: the runner runs the missing cases' part 0 in one worker, then part 1 in a new one,
and so on, so each case's parts are spread over the run rather than back to back. A part
is done when the journal holds its finish record (journal records without a ``part`` are
part 0: journals of runs before processes). A case is complete when all P parts are done,
or when one of them failed or was skipped: its later parts are never run (a failure is
the case's result; running it again would only cost another timeout).
"""

from __future__ import annotations

from typing import Any

from benchmarks.suite.cases import Case

Key = tuple[str, int]  # (case id, part)


def final_parts(records: list[dict[str, Any]]) -> dict[Key, dict[str, Any]]:
    """The last finish record per (case id, part): a resumed part supersedes its crash."""
    final: dict[Key, dict[str, Any]] = {}
    for r in records:
        if r.get("event") == "finish" and "id" in r:
            final[(r["id"], int(r.get("part", 0)))] = r
    return final


def next_part(case: Case, final: dict[Key, dict[str, Any]], processes: int) -> int | None:
    """The case's first part not yet run, or None when the case is complete."""
    for part in range(processes):
        record = final.get((case.id, part))
        if record is None:
            return part
        if record.get("status") != "passed":
            return None
    return None


def parts_done(cases: list[Case], final: dict[Key, dict[str, Any]], processes: int) -> int:
    """Progress in parts: P for a complete case, else the parts already journaled."""
    done = 0
    for case in cases:
        part = next_part(case, final, processes)
        done += processes if part is None else part
    return done


def next_batch(
    cases: list[Case], final: dict[Key, dict[str, Any]], processes: int
) -> tuple[int, list[Case]]:
    """The lowest missing part and the cases (in run order) that need it; (0, []) if none."""
    pending = [(part, c) for c in cases if (part := next_part(c, final, processes)) is not None]
    if not pending:
        return 0, []
    lowest = min(part for part, _ in pending)
    return lowest, [c for part, c in pending if part == lowest]


def case_parts(
    case: Case, final: dict[Key, dict[str, Any]], processes: int
) -> list[dict[str, Any]]:
    """The case's journaled part records in part order, up to its first missing part."""
    records = []
    for part in range(processes):
        record = final.get((case.id, part))
        if record is None:
            break
        records.append(record)
    return records
