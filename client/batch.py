"""`lacuna score FILE...`: score the files a localization pipeline produces, resumably.

Exit codes: 0 done and every gate passed; 1 a gate failed (--fail-on, --min,
--max); 2 a usage or input error (named file and line/unit; nothing is scored);
3 the server could not be reached or stopped the job (results written so far
are kept; rerun the same command to resume).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from typing import Sequence

from lacuna.client.formats import FORMATS, InputProblem, InputWarning, ReadOptions, Record, Skipped, read_file
from lacuna.client.formats.directory import expand_inputs
from lacuna.client.progress import make_progress
from lacuna.client.results import (
    OutputLock,
    ResultsFileError,
    ResultsWriter,
    csv_columns,
    load_existing,
    result_record,
)
from lacuna.client.signatures import conflict_messages
from lacuna.metric_direction import directions_from_capabilities
from lacuna.client.summary import SEVERITIES, SummaryBuilder, format_summary, gate_failures

EXIT_OK, EXIT_GATE, EXIT_USAGE, EXIT_SERVER = 0, 1, 2, 3
MAX_PROBLEMS_SHOWN = 20


class UsageError(Exception):
    """Bad flags or inputs: exit 2."""


def _key_values(items: Sequence[str], flag: str, as_float: bool) -> dict:
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"{flag} expects NAME=VALUE, not {item!r}")
        if as_float:
            try:
                out[key.strip().lower()] = float(value)
            except ValueError:
                raise UsageError(f"{flag} {item!r}: {value!r} is not a number") from None
        else:
            out[key.strip()] = value
    return out


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="lacuna score",
        description="Score translation files (JSONL, TSV, CSV, XLIFF 1.2/2.x, TMX, PO) against Lacuna servers.",
        epilog="exit codes: 0 ok; 1 a gate failed; 2 usage or input error; 3 server unreachable or job stopped "
               "(rerun the same command to resume)",
    )
    p.add_argument("files", nargs="+", metavar="FILE")
    conn = p.add_argument_group("servers")
    conn.add_argument("--server", action="append", default=None, metavar="HOST:PORT",
                      help="server address; repeat or comma-separate for round-robin over several, or one "
                           "dns:///name:port [env LACUNA_SERVER; default 127.0.0.1:50051]")
    conn.add_argument("--timeout", type=float, default=300.0,
                      help="deadline of one stream call (at most --batches-per-call batches), seconds [300]")
    conn.add_argument("--connect-timeout", type=float, default=20.0, help="wait this long for a server at start [20]")
    conn.add_argument("--retries", type=int, default=5, help="retries of a call that fails with UNAVAILABLE [5]")
    conn.add_argument("--batch-size", type=int, default=32, help="segments per stream message [32]")
    conn.add_argument("--streams", type=int, default=4, help="concurrent stream calls [4]")
    conn.add_argument("--window", type=int, default=4, help="messages in flight per stream [4]")
    conn.add_argument("--batches-per-call", type=int, default=16, help="messages per stream call [16]")
    conn.add_argument("--reconnect-timeout", type=float, default=120.0,
                      help="keep retrying an unreachable or busy server for this long after its last answer, "
                           "then resume where the job stopped (a restart) [120]")
    conn.add_argument("--tls-ca", metavar="PEM", help="CA certificate that signed the server's (turns TLS on)")
    conn.add_argument("--tls-cert", metavar="PEM", help="client certificate, for mutual TLS (with --tls-key)")
    conn.add_argument("--tls-key", metavar="PEM", help="client private key, for mutual TLS")
    conn.add_argument("--token-env", default="LACUNA_TOKEN", metavar="NAME",
                      help="environment variable holding the bearer token, if the server wants one [LACUNA_TOKEN]")
    what = p.add_argument_group("scoring")
    what.add_argument("--metrics", default="", help="comma-separated metric names (default: the server's defaults)")
    what.add_argument("--threshold", action="append", default=[], metavar="METRIC=VALUE",
                      help="per-segment minimum (maximum for ter/omission/addition): a low_score flag below it")
    terms = p.add_argument_group("terminology and consistency")
    terms.add_argument("--glossary", action="append", default=[], metavar="FILE",
                       help="check terms against this glossary (.tbx, .csv, .tsv); repeatable")
    terms.add_argument("--do-not-translate", action="append", default=[], metavar="FILE",
                       help="names that must stay unchanged in translations, one a line; repeatable")
    terms.add_argument("--server-glossary", metavar="NAME", help="check terms against a glossary the server loaded")
    terms.add_argument("--no-consistency", dest="consistency", action="store_false",
                       help="skip the consistency pass (one source translated two ways, one translation for "
                            "two sources, across every file of the job)")
    terms.add_argument("--consistency-context", default="context,resname", metavar="LABELS",
                       help="labels whose values keep segments apart in the consistency pass: segments that "
                            "differ in one may be translated differently (comma-separated; '' for none) "
                            "[context,resname: a PO msgctxt, an XLIFF resname]")
    inp = p.add_argument_group("inputs")
    inp.add_argument("--format", choices=FORMATS, help="input format (default: from the extension)")
    inp.add_argument("--src-lang", help="source language (fills or overrides the file's; required for TSV/CSV)")
    inp.add_argument("--tgt-lang", help="target language (fills or overrides the file's; picks the TMX variant)")
    inp.add_argument("--id-column", default="id", help="TSV/CSV: id column (missing/empty: FILE:LINE) [id]")
    inp.add_argument("--source-column", default="source", help="TSV/CSV: source text column [source]")
    inp.add_argument("--translation-column", default="translation", help="TSV/CSV: translation column [translation]")
    inp.add_argument("--reference-column", default="reference",
                     help="TSV/CSV: reference column, optional (an empty cell = no reference) [reference]")
    inp.add_argument("--label", action="append", default=[], metavar="KEY=VALUE", help="label added to every segment")
    inp.add_argument("--include-untranslated", action="store_true",
                     help="score units without a translation as empty (default: skip them)")
    inp.add_argument("--include-unready", action="store_true",
                     help="also score what the files mark not ready: XLIFF state new/needs-*, translate=\"no\", "
                          "PO fuzzy and obsolete entries (default: skip them and count them in the summary)")
    inp.add_argument("--placeholder-style", action="append", default=[], metavar="STYLE",
                     help="placeholder syntaxes to check (repeat or comma-separate: printf, double_brace, icu, "
                          "percent_brace, percent_name, percent_number, dollar, html, entity; default: all)")
    inp.add_argument("--placeholder-regex", action="append", default=[], metavar="REGEX",
                     help="a placeholder pattern of this job's own (a Python regular expression); repeatable")
    inp.add_argument("--max-length", type=int, default=0,
                     help="longest allowed translation in characters, for units without their own "
                          "(XLIFF maxwidth); 0 = none [0]")
    inp.add_argument("--skip-invalid", action="store_true",
                     help="warn about bad files/lines/units and score the rest (default: exit 2)")
    out = p.add_argument_group("outputs")
    out.add_argument("--output", "-o", help="results file, one line per segment; rerunning resumes it")
    out.add_argument("--format-out", choices=("jsonl", "csv", "parquet"), default=None,
                     help="results format (default: csv for an --output ending in .csv, parquet (a directory "
                          "of parts; --engine ray) for one ending in .parquet, else jsonl)")
    out.add_argument("--fresh", action="store_true", help="start --output anew instead of resuming it")
    out.add_argument("--summary", help="write the summary as JSON here")
    out.add_argument("--corpus-scores", choices=("exact", "mean"), default="exact",
                     help="summary corpus BLEU/chrF/TER per language pair: exact (recomputed from the texts, "
                          "as sacrebleu's corpus score) or mean of the segment scores (cheaper) [exact]")
    out.add_argument("--worst", type=int, default=10, help="worst segments listed in the summary [10]")
    out.add_argument("--html", help="write an HTML report here (lacuna.client.report)")
    out.add_argument("--alerts", metavar="RULES.yaml", help="evaluate these alert rules on the job at the end")
    out.add_argument("--job-name", help="job name for alerts (default: the output file's name)")
    out.add_argument("--report-url", default=os.environ.get("LACUNA_REPORT_URL") or None, metavar="TEMPLATE",
                     help="where the team opens the --html report once published (object storage, CI artifact), "
                          "for the alerts' link; may use {job}, {report}, {date} [env LACUNA_REPORT_URL]")
    out.add_argument("--quiet", "-q", action="store_true", help="no progress output")
    out.add_argument("--progress-interval", type=float, default=10.0,
                     help="seconds between progress lines when stderr is not a terminal [10]")
    gate = p.add_argument_group("CI gates (exit 1)")
    gate.add_argument("--fail-on", choices=SEVERITIES, help="fail on any flag of this severity or worse, "
                                                            "or any segment that could not be scored")
    gate.add_argument("--min", action="append", default=[], metavar="METRIC=VALUE",
                      help="fail when a language pair's corpus score is below VALUE")
    gate.add_argument("--max", action="append", default=[], metavar="METRIC=VALUE",
                      help="fail when a language pair's corpus score is above VALUE (ter, ...)")
    from lacuna.ray_engine import add_engine_arguments

    add_engine_arguments(p)
    return p


def _warn(message: str) -> None:
    print(f"lacuna score: {message}", file=sys.stderr, flush=True)


def job_base(files: Sequence[str]) -> str | None:
    """The folder holding every input: ids are relative to it, so they do not depend on where the
    job is run from or how the files are named on the command line."""
    folders = [os.path.dirname(os.path.abspath(f)) for f in files]
    try:
        return os.path.commonpath(folders) if folders else None
    except ValueError:  # different drives
        return None


def read_inputs(files: Sequence[str], options: ReadOptions,
                skip_invalid: bool, skipped: Counter | None = None) -> tuple[list[Record], list[InputProblem]]:
    """Every record of every file (a directory: every file in it), ids unique; problems in file
    order. Units the files mark not ready are counted by reason in `skipped`; warnings are printed."""
    records: list[Record] = []
    problems: list[InputProblem] = []
    first_seen: dict[str, Record] = {}
    paths = list(expand_inputs(files))
    if options.base is None:
        options.base = job_base(paths)
    for path in paths:
        for item in read_file(path, options):
            if isinstance(item, Skipped):
                if skipped is not None:
                    skipped[item.reason] += 1
                continue
            if isinstance(item, InputWarning):
                _warn(f"warning: {item}")
                continue
            if isinstance(item, InputProblem):
                problems.append(item)
                if skip_invalid:
                    _warn(f"skipped {item}")
                continue
            earlier = first_seen.get(item.id)
            if earlier is not None:
                problem = InputProblem(item.source_file, item.location,
                                       f"duplicate id {item.id!r} (first at {earlier.source_file}: {earlier.location})")
                problems.append(problem)
                if skip_invalid:
                    _warn(f"skipped {problem}")
                continue
            first_seen[item.id] = item
            records.append(item)
    return records, problems


def _labels_list(text: str) -> list[str]:
    return [t.strip() for t in (text or "").split(",") if t.strip()]


def _servers(args) -> list[str]:
    given = args.server or [os.environ.get("LACUNA_SERVER") or "127.0.0.1:50051"]
    return [t.strip() for s in given for t in s.split(",") if t.strip()]


def _security(args) -> dict:
    """TLS files and the bearer token (from the environment, never the command line) for Client."""
    return {"tls_ca": args.tls_ca, "tls_cert": args.tls_cert, "tls_key": args.tls_key,
            "token": os.environ.get(args.token_env, "").strip() or None}



def resume_state(args, existing: list[dict], records: list) -> tuple[list, list[dict], SummaryBuilder]:
    """What a job still has to score once `existing` results are read back, the records kept for
    the report and alerts, and a summary that already counts the existing ones (both engines)."""
    done = {rec["id"] for rec in existing}
    pending = [r for r in records if r.id not in done]
    all_records: list[dict] = list(existing) if (args.html or args.alerts) else []
    builder = SummaryBuilder(worst=args.worst, exact_corpus=args.corpus_scores == "exact")
    for rec in existing:
        builder.add(rec)
    if existing and not args.quiet:
        _warn(f"resuming {args.output}: {len(existing)} segments already scored, {len(pending)} to go")
    return pending, all_records, builder


def take_result(args, result, record, consistency, writer, builder, all_records: list[dict]) -> dict:
    """One scored segment into the job: its record (with the job's consistency flags) written,
    counted in the summary and kept for the report and alerts when asked (both engines)."""
    from lacuna.client.client import result_to_json

    rec = result_record(result_to_json(result), record)
    if consistency is not None:
        consistency.apply(rec, record)
    if writer is not None:
        writer.write(rec)
    builder.add(rec)
    if args.html or args.alerts:
        all_records.append(rec)
    return rec

def _check_metrics(caps, requested: list[str], gates: dict[str, float], thresholds: dict[str, float]) -> list[str]:
    """The metric names this job computes (for CSV columns); UsageError for unknown ones."""
    offered = {m.name: m for m in caps.metrics}
    for flag, names in (("--metrics", requested), ("--threshold", list(thresholds))):
        for name in names:
            if name not in offered:
                raise UsageError(f"{flag}: the server does not offer {name!r} "
                                 f"(it offers: {', '.join(sorted(offered))})")
    metrics = requested or [m.name for m in caps.metrics if m.default]
    for name in gates:
        if name not in metrics:
            raise UsageError(f"gate on {name!r}, which this job does not compute (metrics: {', '.join(metrics)})")
    return metrics


def _check_rules(path: str) -> None:
    """A bad --alerts file is a usage error before anything is scored, not after."""
    if not os.path.isfile(path):
        raise UsageError(f"--alerts {path}: no such file")
    try:
        from lacuna.alerting import load_rules
    except ImportError:
        return  # checked when the rules run
    try:
        load_rules(path)
    except Exception as exc:
        raise UsageError(f"--alerts {path}: {exc}") from None


def _resume(args, columns: list[str]) -> list[dict]:
    """What an earlier run already wrote to --output (nothing with --fresh)."""
    if not args.output:
        return []
    try:
        args.output_lock = OutputLock(args.output).acquire()
    except ResultsFileError as exc:
        raise UsageError(f"--output {args.output}: {exc}") from None
    except OSError as exc:
        raise UsageError(f"--output {args.output}: cannot write it: {exc}") from None
    if args.fresh:
        with open(args.output, "r+b") as f:  # keep the locked file, empty it
            f.truncate(0)
    try:
        return load_existing(args.output, args.format_out, columns)
    except ResultsFileError as exc:
        raise UsageError(f"--output {args.output}: cannot resume it: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"--output {args.output}: cannot read it: {exc}") from None


def _report_and_alert(args, records: list[dict], warnings: list[str] | None = None) -> int:
    """--html and --alerts, after the summary; exit 2 when either cannot be done."""
    if args.html:
        from lacuna.client.report import write_report

        try:
            write_report(records, args.html, title=args.job_name, warnings=warnings or [])
        except Exception as exc:
            _warn(f"error: --html {args.html}: {exc}")
            return EXIT_USAGE
    if args.alerts:
        from lacuna.alerting import run_job_alerts

        job = _job_name(args)
        try:
            alerts = run_job_alerts(args.alerts, records, report_path=args.html, job_name=job,
                                    report_url=_report_url(args))
        except Exception as exc:  # e.g. a rules file that changed since the check at the start
            _warn(f"error: --alerts {args.alerts}: {exc}")
            return EXIT_USAGE
        fired = sorted({str(getattr(a, "rule", a)) for a in alerts or []})
        print(f"alerts: {len(list(alerts or []))} fired" + (": " + ", ".join(fired) if fired else ""), flush=True)
    return EXIT_OK


def _job_name(args) -> str | None:
    return args.job_name or (os.path.basename(args.output) if args.output else None)


def _report_url(args) -> str | None:
    """--report-url expanded for this job (UsageError for a bad template)."""
    if not args.report_url:
        return None
    from lacuna.alerting.report_url import ReportUrlError, expand

    try:
        return expand(args.report_url, _job_name(args), args.html)
    except ReportUrlError as exc:
        raise UsageError(str(exc)) from None


def run(args) -> int:
    if getattr(args, "engine", "server") == "ray":
        from lacuna.ray_engine import run_ray

        return run_ray(args)
    import grpc

    from lacuna.client.client import Client, LacunaError, result_to_json, to_options, to_segment
    from lacuna.client.streaming import StreamFailed, StreamScorer

    started = time.perf_counter()
    if args.format_out is None:
        args.format_out = "csv" if (args.output or "").lower().endswith(".csv") else "jsonl"
    if args.format_out == "parquet" or (args.output or "").lower().rstrip("/").endswith(".parquet"):
        raise UsageError("Parquet results (--format-out parquet, --output *.parquet) need --engine ray")
    thresholds = _key_values(args.threshold, "--threshold", True)
    minimums = _key_values(args.min, "--min", True)
    maximums = _key_values(args.max, "--max", True)
    labels = _key_values(args.label, "--label", False)
    requested = [m.strip().lower() for m in args.metrics.split(",") if m.strip()]
    for flag, value in (("--batch-size", args.batch_size), ("--streams", args.streams), ("--window", args.window),
                        ("--batches-per-call", args.batches_per_call)):
        if value < 1:
            raise UsageError(f"{flag} must be at least 1")

    options = ReadOptions(format=args.format, src_lang=args.src_lang, tgt_lang=args.tgt_lang,
                          id_column=args.id_column, source_column=args.source_column,
                          translation_column=args.translation_column, reference_column=args.reference_column,
                          labels=labels, include_untranslated=args.include_untranslated,
                          include_unready=args.include_unready)
    skipped: Counter = Counter()
    records, problems = read_inputs(args.files, options, args.skip_invalid, skipped)
    styles = [s.strip() for v in args.placeholder_style for s in v.split(",") if s.strip()]
    if problems and not args.skip_invalid:
        for problem in problems[:MAX_PROBLEMS_SHOWN]:
            _warn(f"error: {problem}")
        if len(problems) > MAX_PROBLEMS_SHOWN:
            _warn(f"... and {len(problems) - MAX_PROBLEMS_SHOWN} more problems")
        _warn("nothing scored (fix the input, or give --skip-invalid to score the rest)")
        return EXIT_USAGE

    if args.alerts:
        _check_rules(args.alerts)
        _report_url(args)
    from lacuna.client.job_checks import JobConsistency, job_options

    try:
        extra_options = job_options(args.glossary, args.do_not_translate, args.server_glossary)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    consistency = JobConsistency(records, _labels_list(args.consistency_context)) if args.consistency else None
    if not records and not (args.output and os.path.exists(args.output) and os.path.getsize(args.output)
                            and not args.fresh):
        raise UsageError("no segments to score in " + ", ".join(args.files))

    servers = _servers(args)
    try:
        client = Client(servers, timeout=args.connect_timeout, retries=args.retries, **_security(args))
    except (ValueError, OSError) as exc:
        raise UsageError(f"--server {','.join(servers)}: {exc}") from None
    with client:
        try:
            client.wait_ready(args.connect_timeout)
            caps = client.capabilities()
        except Exception as exc:
            detail = str(exc) if isinstance(exc, LacunaError) else f"not ready within {args.connect_timeout:g}s"
            _warn(f"error: cannot reach the server at {', '.join(servers)}: {detail}")
            return EXIT_SERVER
        metrics = _check_metrics(caps, requested, {**minimums, **maximums}, thresholds)
        limit = caps.limits.max_segments_per_request
        if limit and args.batch_size > limit:
            raise UsageError(f"--batch-size {args.batch_size} is more than the server's limit of {limit} per message")

        existing = _resume(args, csv_columns(metrics))
        pending, all_records, builder = resume_state(args, existing, records)
        done = {rec["id"] for rec in existing}

        try:
            writer = ResultsWriter(args.output, args.format_out, metrics) if args.output else None
        except OSError as exc:
            builder.close()
            raise UsageError(f"--output {args.output}: cannot write it: {exc}") from None
        progress = make_progress(len(done) + len(pending), len(done), quiet=args.quiet,
                                 interval=args.progress_interval)
        job_options = to_options(requested, thresholds, extra_options, placeholder_styles=styles,
                                 placeholder_patterns=args.placeholder_regex, max_length=args.max_length)
        scorer = StreamScorer(client.stub, job_options, streams=args.streams,
                              window=args.window, batch_size=args.batch_size,
                              batches_per_call=args.batches_per_call, timeout=args.timeout, retries=args.retries,
                              reconnect_timeout=args.reconnect_timeout)
        scored = 0
        score_started = time.perf_counter()
        failure: LacunaError | None = None
        try:
            for record, result in scorer.run((r, to_segment(r.to_segment_dict())) for r in pending):
                take_result(args, result, record, consistency, writer, builder, all_records)
                scored += 1
                progress.update()
        except StreamFailed as exc:
            failure = exc.error
        except BaseException:
            builder.close()
            raise
        finally:
            progress.close()
            if writer is not None:
                writer.close()
        score_seconds = time.perf_counter() - score_started
        if failure is not None:
            builder.close()
            where = f"; {scored} results written to {args.output}, rerun to resume" if args.output else ""
            _warn(f"error: the job stopped: {failure.code.name}: {failure.message}{where}")
            bad_options = failure.code in (grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.FAILED_PRECONDITION)
            return EXIT_USAGE if bad_options and scored == 0 else EXIT_SERVER

    summary = builder.summary()
    summary["signature_conflicts"] = scorer.signatures.conflicts()
    gates = gate_failures(summary, args.fail_on, minimums, maximums)
    summary["run"] = {
        "servers": servers, "metrics": metrics, "corpus_scores": args.corpus_scores, "inputs": list(args.files),
        "higher_is_better": directions_from_capabilities(m for m in caps.metrics if m.name in metrics),
        "scored": scored, "resumed": len(existing), "skipped_invalid": len(problems), "stream_calls": scorer.calls,
        "retried_calls": scorer.retried_calls, "scoring_seconds": round(score_seconds, 3),
        "segments_per_second": round(scored / score_seconds, 1) if score_seconds > 0 and scored else None,
        "seconds": round(time.perf_counter() - started, 3),
        "consistency_seconds": round(consistency.seconds, 3) if consistency is not None else None,
    }
    summary["gates"] = {"fail_on": args.fail_on, "min": minimums, "max": maximums, "failed": gates}
    summary["skipped"] = dict(sorted(skipped.items()))
    print(format_summary(summary, gates), flush=True)
    if skipped and not args.quiet:
        print("skipped (the files mark them not for review; --include-unready scores the unready ones): "
              + ", ".join(f"{reason} {n}" for reason, n in sorted(skipped.items())), flush=True)
    if args.summary:
        with open(args.summary, "w", encoding="utf-8") as f:
            json.dump(summary, f, ensure_ascii=False, indent=2)
            f.write("\n")
    if args.html or args.alerts:
        code = _report_and_alert(args, all_records, conflict_messages(summary["signature_conflicts"]))
        if code != EXIT_OK:
            return code
    return EXIT_GATE if gates else EXIT_OK


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # argparse: --help (0) or a usage error (2)
        return int(exc.code or 0)
    try:
        return run(args)
    except UsageError as exc:
        _warn(f"error: {exc}")
        return EXIT_USAGE
    except KeyboardInterrupt:
        _warn("interrupted; rerun the same command to resume")
        return 130
    finally:
        lock = getattr(args, "output_lock", None)
        if lock is not None:
            lock.release()


if __name__ == "__main__":
    sys.exit(main())
