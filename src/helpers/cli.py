"""The ``leadeval`` command line: a thin layer over the package's APIs.

Each sub-command imports its implementation lazily, so ``leadeval validate`` does not pay for
papermill and ``leadeval run --help`` answers at once. Every implementation returns the exit
status: 0 success, 1 some jobs failed (run only), 2 bad usage or invalid data.
"""

from __future__ import annotations

import argparse
import sys

from helpers import __version__


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="leadeval",
        description="Evaluate clinical leadership development programmes: start a project, "
        "validate a dataset, build synthetic sample data, import survey exports and "
        "qualitative codes, and publish HTML reports.",
    )
    parser.add_argument("--version", action="version", version=f"leadeval {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("init", help="start an evaluation project: dataset/, reports.yaml, notebooks/")
    p.add_argument("dir", help="the new project's folder (must not exist, or be empty)")
    p.add_argument("--from-sample", action="store_true",
                   help="fill dataset/ with the synthetic sample (default: a template to fill in)")
    p.add_argument("--no-kernel", action="store_true",
                   help="do not install the 'leadeval' Jupyter kernel for the user")

    p = sub.add_parser("sample-data", help="write a synthetic dataset faithful to the seed programmes")
    p.add_argument("dir", help="folder to write the dataset into")
    p.add_argument("--participants", type=int, default=None,
                   help="number of participants (default: the seed documents' own numbers)")
    p.add_argument("--seed", type=int, default=None, help="random seed (default: the recorded seed)")

    p = sub.add_parser("validate", help="check a dataset folder against the dataset contract")
    p.add_argument("dataset", help="dataset folder (holds dataset.yaml)")
    p.add_argument("--strict", action="store_true",
                   help="also refuse files in the folder that are not read (else a warning)")

    p = sub.add_parser("import", help="append survey, KPI or network exports to a dataset table")
    p.add_argument("exports", nargs="+", metavar="EXPORT",
                   help="Qualtrics/REDCap/plain .csv, .xlsx, SPSS .sav or Stata .dta files")
    p.add_argument("--dataset", default=None, help="dataset folder to import into")
    p.add_argument("--map", default=None, help="the import map (YAML; see README)")
    p.add_argument("--dry-run", action="store_true", help="print what would be added; write nothing")
    p.add_argument("--init-map", action="store_true",
                   help="write a starting map for EXPORT (to stdout, or the file given by --map)")

    p = sub.add_parser("import-qda", help="import coded segments from REFI-QDA, Taguette or CSV")
    p.add_argument("file", help=".qdpx, .qde, .qdc, Taguette .csv/.xlsx or plain segments CSV")
    p.add_argument("--dataset", required=True, help="dataset folder to write segments/codes/codings into")
    p.add_argument("--min-overlap", type=float, default=None, metavar="SHARE",
                   help="REFI-QDA: two coders' selections overlapping by at least this share of "
                        "their joint span are one double-coded segment (default 0.9)")

    p = sub.add_parser("run", help="execute the report notebooks and publish HTML reports")
    p.add_argument("--config", default=None,
                   help="job manifest (default: ./reports.yaml, else the one shipped with leadeval)")
    p.add_argument("--dataset", default=None, help="dataset folder (default: from the manifest)")
    p.add_argument("--out", default=None, help="reports folder (default: from the manifest, else reports/)")
    p.add_argument("--jobs", type=int, default=None, help="jobs at once (default: number of cores)")
    p.add_argument("--only", action="append", default=None, metavar="GLOB",
                   help="run only jobs whose output path matches (repeat for several globs)")
    p.add_argument("--force", action="store_true", help="re-run jobs even when nothing changed")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="send jobs to a Dask distributed scheduler, e.g. tcp://host:8786")
    p.add_argument("--pdf", action="store_true",
                   help="also print each report to <notebook>.pdf beside it (system Chromium)")
    p.add_argument("--keep-notebooks", action="store_true",
                   help="also keep the executed notebooks (they hold data) beside the HTML")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Parse ``argv`` and dispatch; returns the process exit status."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    if args.command == "init":
        from helpers.starter.command import init_command

        return init_command(args.dir, from_sample=args.from_sample, kernel=not args.no_kernel)
    if args.command == "sample-data":
        from helpers.sample import sample_data_command

        return sample_data_command(args.dir, participants=args.participants, seed=args.seed)
    if args.command == "validate":
        from helpers.data.commands import validate_command

        return validate_command(args.dataset, strict=args.strict)
    if args.command == "import":
        from helpers.intake.command import import_command

        return import_command(args)
    if args.command == "import-qda":
        from helpers.qda.commands import import_command

        return import_command(args.file, args.dataset, min_overlap=args.min_overlap)
    if args.command == "run":
        from helpers.runner.commands import run_command

        return run_command(args)
    parser.error(f"unknown command {args.command}")
    return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
