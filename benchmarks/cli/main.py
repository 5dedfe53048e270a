"""The ``fmtbench`` command: a thin argparse front, one ``cmd_*`` function per subcommand.

Library code raises its own exceptions; only ``main`` turns them into one line
``error: ...`` on stderr and an exit code (2 usage, 1 run failure, 130 interrupted).
"""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from benchmarks.cli.args import split_list
from benchmarks.errors import FmtbenchError, UsageError


class Parser(argparse.ArgumentParser):
    """argparse that reports a usage mistake as one ``error:`` line and exit code 2."""

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"error: {message} (see {self.prog} --help)\n")
        raise SystemExit(2)


def _add_results_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("results", type=Path, help="a results .json written by fmtbench run")


COMMANDS: dict[str, tuple[Callable[[argparse.Namespace], int], Callable[[Any], None]]] = {}


def _register_commands() -> None:
    from benchmarks.cli import results_cmds
    from benchmarks.cli.args import add_run_args
    from benchmarks.cli.info_cmds import cmd_datasets, cmd_fidelity, cmd_formats, cmd_results
    from benchmarks.cli.run_cmd import cmd_run

    def formats_args(p: argparse.ArgumentParser) -> None:
        p.add_argument("--json", action="store_true", help="machine-readable output")

    def fidelity_args(p: argparse.ArgumentParser) -> None:
        formats_args(p)
        p.add_argument("--formats", type=split_list, help="adapter names (default: all available)")
        p.add_argument(
            "--schema",
            choices=("file", "declared"),
            default="file",
            help="what every text reader is told: the file alone (default) or the source's "
            "column types",
        )
        p.add_argument(
            "--markdown", action="store_true", help="the matrix as Markdown (README's table)"
        )

    def datasets_args(p: argparse.ArgumentParser) -> None:
        formats_args(p)
        p.add_argument("--data", type=split_list, help="also describe these files")
        p.add_argument(
            "--sample", help="show how this sample's compression differs from the source"
        )
        p.add_argument("--data-dir", help="where generated real datasets are cached")

    def results_args(p: argparse.ArgumentParser) -> None:
        _add_results_arg(p)
        p.add_argument("--csv", type=Path, help="write the table to this CSV file")
        p.add_argument("--force", action="store_true", help="overwrite an existing --csv file")

    COMMANDS.update(
        formats=(cmd_formats, formats_args),
        datasets=(cmd_datasets, datasets_args),
        fidelity=(cmd_fidelity, fidelity_args),
        run=(cmd_run, add_run_args),
        results=(cmd_results, results_args),
    )
    COMMANDS.update(results_cmds.commands(_add_results_arg))


def build_parser() -> Parser:
    """The parser with every subcommand; each one's docstring is its --help text."""
    if not COMMANDS:
        _register_commands()
    parser = Parser(prog="fmtbench", description="Which storage format should my data live in?")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    for name, (fn, add_args) in COMMANDS.items():
        doc = fn.__doc__ or ""
        p = sub.add_parser(name, help=doc.splitlines()[0], description=doc,
                           formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
        add_args(p)
        p.set_defaults(func=fn)
    return parser


def _sigterm(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # same clean-up path as Ctrl-C


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``fmtbench`` console script."""
    args = build_parser().parse_args(argv)
    for name in ("SIGTERM", "SIGHUP"):  # a closed terminal cleans up as Ctrl-C does
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), _sigterm)
    # formats loads pyarrow and every adapter: imported after parsing, so --help stays instant
    from formats.base import FormatError
    from formats.registry import plugin_error

    if plugin_error is not None:
        sys.stderr.write(f"error: {plugin_error}\n")
        return 2
    try:
        return args.func(args)
    except (FmtbenchError, FormatError) as exc:
        if args.debug:
            raise
        sys.stderr.write(f"error: {_one_line(exc)}\n")
        return getattr(exc, "exit_code", 1) if isinstance(exc, FmtbenchError) else 1
    except KeyboardInterrupt:
        sys.stderr.write("error: interrupted\n")
        return 130
    except BrokenPipeError:  # `fmtbench ... | head`: the reader left, nothing is wrong
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no flush error at exit
        return 0
    except OSError as exc:  # a filesystem refusal: the path, the cause, what to do
        if args.debug:
            raise
        sys.stderr.write(f"error: {_os_error(exc)}\n")
        return 1
    except RecursionError:
        if args.debug:
            raise
        sys.stderr.write(
            "error: the input is nested too deeply to read; pass a file fmtbench wrote\n"
        )
        return 2
    except Exception as exc:  # a bug: still one line, with the way to see more
        if args.debug:
            raise
        sys.stderr.write(
            f"error: unexpected {type(exc).__name__}: {_one_line(exc)} (rerun with --debug)\n"
        )
        return 1


def _os_error(exc: OSError) -> str:
    """``cannot write PATH: No space left on device; free space or choose another path``."""
    import errno

    where = exc.filename or "a file"
    cause = exc.strerror or str(exc)
    fix = {
        errno.ENOSPC: "free some space or choose a path on another disk",
        errno.EDQUOT: "free some space or choose a path on another disk",
        errno.EACCES: "check its permissions or choose another path",
        errno.EPERM: "check its permissions or choose another path",
        errno.EROFS: "the disk is read-only; choose a writable path",
        errno.ENAMETOOLONG: "choose a shorter name",
        errno.ENOENT: "check that the path exists",
        errno.ENOTDIR: "a part of the path is a file, not a directory; fix the path",
        errno.EISDIR: "it is a directory; pass a file path",
        errno.EEXIST: "it already exists; choose another path",
    }.get(exc.errno, "check the path")
    return f"{where}: {cause}; {fix}"


def _one_line(exc: BaseException) -> str:
    lines = [ln for ln in str(exc).splitlines() if ln.strip()]
    return lines[0] if lines else type(exc).__name__


if __name__ == "__main__":
    sys.exit(main())


__all__ = ["main", "build_parser", "UsageError"]
