"""Command line: ``python -m etl`` — a thin layer over etl.warehouse, etl.validate and etl.templates.

Exit codes: 0 loaded / no-op / done, 1 rejected by validation or refused, 2 usage error,
3 warehouse busy.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from etl import warehouse
from etl.contracts import DATASETS

EXIT_OK, EXIT_REJECTED, EXIT_USAGE, EXIT_BUSY = 0, 1, 2, 3
MAX_PRINTED_ERRORS = 50


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m etl",
        description="招商就业数据看板 ETL：把报送文件校验后装入 DuckDB 数据仓库。\n"
        "Investment & employment dashboard ETL: validate clerk files and load them into the DuckDB warehouse.",
        epilog="退出码 exit codes: 0 成功/ok, 1 校验未通过/rejected, 2 用法错误/usage, 3 仓库忙/warehouse busy",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--db", type=Path, help="数据仓库文件 warehouse file (env DASHBOARD_DB; default data/warehouse.duckdb)"
    )
    p.add_argument("--lang", choices=["zh", "en"], default="zh", help="消息语言 message language")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    s = sub.add_parser("init", help="建库（可选装入演示县数据） create the warehouse (optionally the demo county)")
    s.add_argument("--demo", action="store_true", help="生成并装入演示县 generate and load the demo county")
    s.add_argument("--returnees", type=int, default=6000, help="演示返乡人员数 demo returnee count")
    s.add_argument("--as-of", type=date.fromisoformat, default=None, help="演示数据截止日 demo as-of date (YYYY-MM-DD)")

    for name, help_text in (
        ("load", "校验并装入一个文件（一个批次） validate and load one file as one batch"),
        ("validate", "只校验，不装入 validate only, load nothing"),
    ):
        s = sub.add_parser(name, help=help_text)
        s.add_argument("file", type=Path, help="CSV 或 XLSX 文件 CSV or XLSX file")
        s.add_argument(
            "--dataset", choices=list(DATASETS), help="数据集（默认按表头识别） dataset (default: from headers)"
        )
        s.add_argument("--sheet", help="XLSX 工作表名 sheet name")
        s.add_argument("--report", type=Path, help="错误报告输出 write the error report (.csv or .xlsx)")
        if name == "load":
            s.add_argument(
                "--skip-invalid",
                action="store_true",
                help="装入有效行、隔离错误行 load valid rows, quarantine the rest",
            )
            s.add_argument("--user", default="cli", help="操作人 user name recorded with the batch")

    sub.add_parser("batches", help="列出批次 list batches")
    s = sub.add_parser("rollback", help="回滚一个批次 roll back one batch")
    s.add_argument("batch_id", type=int)
    s.add_argument("--user", default="cli")

    s = sub.add_parser("template", help="输出报送模板 write an upload template")
    s.add_argument("dataset", choices=list(DATASETS))
    s.add_argument("--xlsx", action="store_true", help="Excel 模板（含说明页） Excel template with a help sheet")
    s.add_argument("-o", "--output", type=Path, help="输出文件 output file (default: stdout for CSV)")
    return p


def _print_issues(frame, lang: str, title_zh: str, title_en: str) -> None:
    if frame is None or not len(frame):
        return
    reason = "reason_zh" if lang == "zh" else "reason_en"
    print(title_zh if lang == "zh" else title_en, f"({len(frame)})")
    for rec in frame.head(MAX_PRINTED_ERRORS).to_dict(orient="records"):
        row = rec.get("row")
        where = "-" if row is None or row != row or str(row) == "<NA>" else str(row)
        label = "行" if lang == "zh" else "row"
        print(f"  {label} {where} | {rec.get('column') or ''} | {rec.get('value') or ''} | {rec.get(reason)}")
    if len(frame) > MAX_PRINTED_ERRORS:
        more = len(frame) - MAX_PRINTED_ERRORS
        print(f"  … 另有 {more} 条（用 --report 输出全部）" if lang == "zh" else f"  … {more} more (use --report)")


def _write_report(validated, path: Path | None) -> None:
    if path is None or validated is None:
        return
    fmt = "xlsx" if path.suffix.lower() == ".xlsx" else "csv"
    path.write_bytes(validated.error_report(fmt))


def _cmd_load(args, db: Path) -> int:
    res = warehouse.load_file(
        db, args.file, dataset=args.dataset, skip_invalid=args.skip_invalid, user=args.user, sheet=args.sheet
    )
    return _report(res, args.lang, args.report)


def _report(res: warehouse.LoadResult, lang: str, report: Path | None) -> int:
    """Print what happened to one file (located errors, warnings, counts); return the exit code."""
    zh = lang == "zh"
    if res.status == "noop":
        print(
            f"文件已装入过（批次 {res.duplicate_of}），未做任何改动。"
            if zh
            else f"This file was already loaded as batch {res.duplicate_of}; nothing changed."
        )
        return EXIT_OK
    _print_issues(res.errors, lang, "错误", "Errors")
    _print_issues(res.warnings, lang, "提示", "Warnings")
    _write_report(res.validated, report)
    if res.status == "rejected":
        print(
            f"未装入：{res.rows_read} 行中 {res.rows_rejected} 行有错误，数据仓库未改动。"
            if zh
            else f"Rejected: {res.rows_rejected} of {res.rows_read} rows have errors; the warehouse is unchanged."
        )
        return EXIT_REJECTED
    print(
        f"已装入批次 {res.batch_id}（{res.dataset}）：读取 {res.rows_read} 行，装入 {res.rows_loaded} 行，"
        f"隔离 {res.rows_rejected} 行。"
        if zh
        else f"Loaded batch {res.batch_id} ({res.dataset}): {res.rows_read} rows read, {res.rows_loaded} loaded, "
        f"{res.rows_rejected} quarantined."
    )
    return EXIT_OK


def _cmd_validate(args) -> int:
    from etl.pseudonym import load_key
    from etl.readers import FileRejected
    from etl.validate import read_and_validate

    try:
        v = read_and_validate(
            args.file.read_bytes(), args.file.name, dataset=args.dataset, key=load_key(), sheet=args.sheet
        )
    except FileRejected as exc:
        print(exc.zh if args.lang == "zh" else exc.en)
        return EXIT_REJECTED
    _print_issues(v.errors, args.lang, "错误", "Errors")
    _print_issues(v.warnings, args.lang, "提示", "Warnings")
    _write_report(v, args.report)
    ok = not len(v.errors)
    if args.lang == "zh":
        print(f"{v.dataset.zh}：{len(v.frame)} 行，" + ("校验通过。" if ok else f"{len(v.errors)} 个错误。"))
    else:
        print(f"{v.dataset.en}: {len(v.frame)} rows, " + ("valid." if ok else f"{len(v.errors)} errors."))
    return EXIT_OK if ok else EXIT_REJECTED


def _cmd_init(args, db: Path) -> int:
    warehouse.init(db)
    print(("已建库：" if args.lang == "zh" else "Warehouse ready: ") + str(db))
    if not args.demo:
        return EXIT_OK
    from etl import demo

    sample = db.parent / "sample"
    files = demo.generate(sample, as_of=args.as_of or date.today(), returnees=args.returnees)
    for path in files:  # generate() returns them in load order (projects before funding)
        code = _report(warehouse.load_file(db, path, user="demo"), args.lang, None)
        if code != EXIT_OK:
            return code
    return EXIT_OK


def _cmd_template(args) -> int:
    from etl.templates import template

    body = template(DATASETS[args.dataset], "xlsx" if args.xlsx else "csv", args.lang)
    if args.output:
        args.output.write_bytes(body)
    elif args.xlsx:
        print("Excel 模板需要 -o 文件名 / the xlsx template needs -o FILE", file=sys.stderr)
        return EXIT_USAGE
    else:
        sys.stdout.write(body.decode("utf-8-sig"))
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    db = args.db or warehouse.default_db_path()
    try:
        if args.command == "init":
            return _cmd_init(args, db)
        if args.command == "load":
            return _cmd_load(args, db)
        if args.command == "validate":
            return _cmd_validate(args)
        if args.command == "template":
            return _cmd_template(args)
        if args.command == "batches":
            frame = warehouse.batches(db)
            cols = ["batch_id", "dataset", "file_name", "rows_read", "rows_loaded", "rows_rejected", "user_name"]
            print(frame[cols + ["loaded_at", "status"]].to_string(index=False) if len(frame) else "(无批次 no batches)")
            return EXIT_OK
        if args.command == "rollback":
            res = warehouse.rollback(db, args.batch_id, user=args.user)
            print(
                f"已回滚批次 {res['batch_id']}（{res['dataset']}）。"
                if args.lang == "zh"
                else f"Rolled back batch {res['batch_id']} ({res['dataset']})."
            )
            return EXIT_OK
    except warehouse.WarehouseBusy:
        print(
            "数据仓库正忙（另一个装入或回滚正在进行），请稍后重试。 The warehouse is busy; try again.", file=sys.stderr
        )
        return EXIT_BUSY
    except warehouse.NoWarehouse as exc:
        print(exc.zh if args.lang == "zh" else exc.en, file=sys.stderr)
        return EXIT_USAGE
    except warehouse.Refused as exc:
        print(exc.zh if args.lang == "zh" else exc.en, file=sys.stderr)
        return EXIT_REJECTED
    except FileNotFoundError as exc:
        print(("文件不存在：" if args.lang == "zh" else "no such file: ") + str(exc.filename), file=sys.stderr)
        return EXIT_USAGE
    return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
