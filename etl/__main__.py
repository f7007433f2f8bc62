"""Command line: ``python -m etl`` — argument parsing and printing over etl.check, etl.warehouse and etl.store.

Exit codes: 0 loaded / no-op / done, 1 rejected by validation or refused, 2 usage error,
3 warehouse busy.
"""

from __future__ import annotations

import argparse
import os
import stat
import sys
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from etl import accounts, audit, check, clock, readers, store, warehouse
from etl.contracts import DATASETS, dataset_words
from etl.demo_profiles import PROFILES
from etl.messages import BATCH_FIELDS, BATCH_STATUS, QUARANTINE_FIELDS, printable

EXIT_OK, EXIT_REJECTED, EXIT_USAGE, EXIT_BUSY = 0, 1, 2, 3
PROG = os.environ.get("ETL_PROG", "python -m etl")  # how the user runs us (bin/etl sets it), for the hints we print
MAX_PRINTED_ERRORS = 50
MAX_DEMO_RETURNEES = 10_000_000


def _bounded_int(low: int, high: int):
    """An argparse type: an integer in [low, high], else a usage error (exit 2), never a traceback later."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"不是整数 not an integer: {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"须在 {low}–{high} 之间 must be between {low} and {high}: {value}")
        return value

    return parse


BATCH_ID = _bounded_int(1, 2**63 - 1)


def _fraction(text: str) -> float:
    """An argparse type: a number in (0, 1]."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"不是数 not a number: {text!r}") from None
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"须在 (0, 1] 之内 must be in (0, 1]: {text}")
    return value


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=PROG,
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
    s.add_argument(
        "--returnees",
        type=_bounded_int(1, MAX_DEMO_RETURNEES),
        default=6000,
        help="演示返乡人员数 demo returnee count (1–10,000,000)",
    )
    s.add_argument("--as-of", type=date.fromisoformat, default=None, help="演示数据截止日 demo as-of date (YYYY-MM-DD)")
    s.add_argument(
        "--profile",
        choices=list(PROFILES),
        default="demo",
        help="演示规模：demo 一个县，province 一个省（约 2,000 个镇街） size: demo a county, province ~2,000 townships",
    )
    s.add_argument(
        "--fraction",
        type=_fraction,
        default=1.0,
        help="按比例缩小规模 scale the profile down (0–1], e.g. 0.01",
    )

    for name, help_text in (
        ("load", "校验并装入一个文件（一个批次） validate and load one file as one batch"),
        ("validate", "只校验，不装入（与 load 的结论相同） check only, load nothing (the same verdict as load)"),
    ):
        s = sub.add_parser(name, help=help_text)
        s.add_argument("file", type=Path, help="CSV 或 XLSX 文件 CSV or XLSX file")
        s.add_argument(
            "--dataset", choices=list(DATASETS), help="数据集（默认按表头识别） dataset (default: from headers)"
        )
        s.add_argument("--sheet", help="XLSX 工作表名 sheet name")
        s.add_argument("--report", type=Path, help="错误报告输出 write the error report (.csv or .xlsx)")
        s.add_argument(
            "--skip-invalid",
            action="store_true",
            help="装入有效行、隔离错误行 load the valid rows, quarantine the rows in error",
        )
        if name == "load":
            s.add_argument("--user", default="cli", help="操作人 user name recorded with the batch")

    s = sub.add_parser(
        "boundaries",
        help="校验并装入本县的镇街边界文件（替换现有边界，一个批次） check and load the county's township boundaries "
        "(replaces the current ones, one batch)",
    )
    s.add_argument("file", type=Path, help="GeoJSON，或打包成 .zip 的 Shapefile  GeoJSON, or a zipped Shapefile")
    s.add_argument("--check", action="store_true", help="只校验，不装入 check only, load nothing")
    s.add_argument("--user", default="cli", help="操作人 user name recorded with the batch")

    sub.add_parser("batches", help="列出批次 list batches")
    s = sub.add_parser("quarantine", help="列出一个批次被隔离的行 list the quarantined rows of a batch")
    s.add_argument("batch_id", type=BATCH_ID)
    s = sub.add_parser("rollback", help="回滚一个批次 roll back one batch")
    s.add_argument("batch_id", type=BATCH_ID)
    s.add_argument("--user", default="cli")

    s = sub.add_parser("users", help="管理看板账号 manage the dashboard's accounts")
    users = s.add_subparsers(dest="users_command", required=True, metavar="ACTION")
    u = users.add_parser(
        "add",
        help="新建账号或重设其角色、镇街和密码（密码从标准输入读取，终端中输入两次） create an account or reset its "
        "role, townships and password (password from stdin; typed twice at a terminal)",
    )
    u.add_argument("name", help="账号名 account name")
    u.add_argument(
        "--role",
        required=True,
        choices=list(accounts.ROLES),
        help="角色 role: viewer 查看, analyst 查看+导出 (+exports), uploader +上传与回滚 (+upload, rollback), "
        "admin +账号与审计日志 (+accounts, audit log)",
    )
    u.add_argument(
        "--townships",
        default="",
        help="只能看到这些镇街（逗号分隔；默认全部） restrict to these townships (comma-separated; default all)",
    )
    u = users.add_parser("remove", help="删除账号 remove an account")
    u.add_argument("name", help="账号名 account name")
    users.add_parser("list", help="列出账号（不显示散列） list the accounts (no hashes)")
    s = sub.add_parser(
        "bulletin",
        help="生成月度通报（.xlsx 或 .pdf，数字与看板一致） write the monthly bulletin (.xlsx or .pdf, the dashboard's numbers)",
    )
    s.add_argument("--year", type=_bounded_int(1990, 2200), required=True, help="年度 year")
    s.add_argument("--month", type=_bounded_int(1, 12), required=True, help="截至月份 data through month (1–12)")
    s.add_argument("--out", type=Path, required=True, help="输出文件 output file (.xlsx or .pdf)")
    s.add_argument("--rules", type=BATCH_ID, help="考核规则版本（默认现行） rule version (default: the one in force)")

    s = sub.add_parser("template", help="输出报送模板 write an upload template")
    s.add_argument("dataset", choices=list(DATASETS))
    s.add_argument("--xlsx", action="store_true", help="Excel 模板（含说明页） Excel template with a help sheet")
    s.add_argument("-o", "--output", type=Path, help="输出文件 output file (default: stdout for CSV)")
    return p


def _say(lang: str, zh: str, en: str) -> None:
    print(zh if lang == "zh" else en)


def _print_issues(frame: pd.DataFrame, lang: str, title_zh: str, title_en: str) -> None:
    if frame is None or not len(frame):
        return
    reason = "reason_zh" if lang == "zh" else "reason_en"
    print(title_zh if lang == "zh" else title_en, f"({len(frame)})")
    for rec in frame.head(MAX_PRINTED_ERRORS).to_dict(orient="records"):
        row = rec.get("row")
        where = "-" if row is None or pd.isna(row) else str(row)
        label = "行" if lang == "zh" else "row"
        print(f"  {label} {where} | {rec.get('column') or ''} | {rec.get('value') or ''} | {rec.get(reason)}")
    if len(frame) > MAX_PRINTED_ERRORS:
        more = len(frame) - MAX_PRINTED_ERRORS
        print(f"  … 另有 {more} 条（用 --report 输出全部）" if lang == "zh" else f"  … {more} more (use --report)")


def _write_report(checked: check.Checked, path: Path | None, lang: str) -> None:
    """Write the error report; a report that cannot be written is said, and changes nothing else."""
    if path is None:
        return
    from etl.reports import error_report

    fmt = "xlsx" if path.suffix.lower() == ".xlsx" else "csv"
    try:
        path.write_bytes(error_report(checked.errors, checked.warnings, fmt))
    except OSError as exc:
        _say(lang, f"错误报告未能写入 {path}：{exc.strerror or exc}", f"The error report could not be written to {path}: {exc.strerror or exc}")  # fmt: skip


def _print_check(checked: check.Checked, lang: str, report: Path | None) -> None:
    _print_issues(checked.errors, lang, "错误", "Errors")
    _print_issues(checked.warnings, lang, "提示", "Warnings")
    _write_report(checked, report, lang)


def _refusal(checked: check.Checked, lang: str, kept: Path | None) -> None:
    """Why nothing was loaded, what to do, and where the file was kept."""
    v = checked.validated
    n, bad = checked.rows_read, checked.rows_bad
    if v is None or v.file_level_error:
        _say(lang, "未装入：文件本身有错误（见上），数据仓库未改动。", "Not loaded: the file itself has errors (above); the warehouse is unchanged.")  # fmt: skip
    elif bad == n:
        _say(lang, f"未装入：全部 {n} 行都有错误，数据仓库未改动。", f"Not loaded: all {n} rows have errors; the warehouse is unchanged.")  # fmt: skip
    else:
        _say(
            lang,
            f"未装入：{n} 行中 {bad} 行有错误，数据仓库未改动。改正后重新装入；或加 --skip-invalid 装入其余 {n - bad} 行、隔离有错误的行。",
            f"Not loaded: {bad} of {n} rows have errors; the warehouse is unchanged. Correct them and load again, "
            f"or add --skip-invalid to load the other {n - bad} rows and quarantine the rows in error.",
        )
    if kept is not None:
        _say(lang, f"文件已留存：{kept}", f"The file was kept at {kept}")


def _cmd_load(args, db: Path) -> int:
    store.require(db)
    data = readers.read_path(args.file)  # a regular file within the size cap, before anything is read or locked
    res = warehouse.load_file(
        db, args.file, dataset=args.dataset, skip_invalid=args.skip_invalid, user=args.user, sheet=args.sheet, data=data
    )
    if res.status == "loaded":
        who, _ = _cli_actor()
        detail = f"batch {res.batch_id} {res.dataset} {args.file.name} rows={res.rows_loaded} user={args.user}"
        audit.write(who, "upload", detail, "cli", f"{PROG} load")
    return _report_load(res, args.lang, args.report)


def _report_load(res: warehouse.LoadResult, lang: str, report: Path | None) -> int:
    """Print what happened to one file (located errors, warnings, counts); return the exit code."""
    checked = res.checked
    if res.status == "noop":
        _say(lang, f"文件已装入过（批次 {checked.duplicate_of}），未做任何改动。", f"This file was already loaded as batch {checked.duplicate_of}; nothing changed.")  # fmt: skip
        return EXIT_OK
    _print_check(checked, lang, report)
    if res.status == "rejected":
        _refusal(checked, lang, res.kept_path)
        return EXIT_REJECTED
    see_zh = f"（查看：{PROG} quarantine {res.batch_id}）" if res.rows_rejected else ""
    see_en = f" (see: {PROG} quarantine {res.batch_id})" if res.rows_rejected else ""
    _say(
        lang,
        f"已装入批次 {res.batch_id}（{checked.dataset.zh}）：读取 {res.rows_read} 行，装入 {res.rows_loaded} 行，"
        f"隔离 {res.rows_rejected} 行{see_zh}。",
        f"Loaded batch {res.batch_id} ({checked.dataset.en}): {res.rows_read} rows read, {res.rows_loaded} loaded, "
        f"{res.rows_rejected} quarantined{see_en}.",
    )
    return EXIT_OK


def _cmd_validate(args, db: Path) -> int:
    """The same check as ``load`` (against the same warehouse), nothing written."""
    from etl.pseudonym import load_key

    data = readers.read_path(args.file)  # a regular file within the size cap, before anything is read
    ctx = check.read_context(db)
    if not ctx.exists:
        _say(args.lang, f"（未找到数据仓库 {db}：按空库校验）", f"(no warehouse at {db}: checked against an empty one)")  # fmt: skip
    checked = check.check(data, args.file.name, ctx, key=load_key(), dataset=args.dataset, sheet=args.sheet)
    if checked.status == "noop":
        _say(args.lang, f"文件已装入过（批次 {checked.duplicate_of}），装入时不会有任何改动。", f"This file was already loaded as batch {checked.duplicate_of}; loading it would change nothing.")  # fmt: skip
        return EXIT_OK
    _print_check(checked, args.lang, args.report)
    if not checked.loadable(args.skip_invalid):
        _refusal(checked, args.lang, None)
        return EXIT_REJECTED
    v = checked.validated
    new, old = _key_changes(db, v) if ctx.exists else (int(v.valid.sum()), 0)
    good, bad = int(v.valid.sum()), checked.rows_bad
    _say(
        args.lang,
        f"校验通过（{v.dataset.zh}）：可装入 {good} 行（新增 {new} 条，替换已有的 {old} 条）" + (f"，隔离 {bad} 行。" if bad else "。"),
        f"Valid ({v.dataset.en}): {good} rows can be loaded ({new} new, {old} replacing earlier values)"
        + (f", {bad} quarantined." if bad else "."),
    )  # fmt: skip
    return EXIT_OK


def _key_changes(db: Path, v) -> tuple[int, int]:
    reader = store.Reader(db)
    try:
        return check.key_changes(reader, v)
    finally:
        reader.close()


def _cmd_init(args, db: Path) -> int:
    if not args.demo:
        warehouse.init(db)
        _say(args.lang, f"已建库：{db}", f"Warehouse ready: {db}")
        return EXIT_OK
    from etl import demo, demo_profiles

    codes: list[int] = []

    def load(path: Path) -> warehouse.LoadResult:
        res = warehouse.load_file(db, path, user="demo")
        codes.append(_report_load(res, args.lang, None))
        return res

    profile = None if (args.profile, args.fraction) == ("demo", 1.0) else demo_profiles.get(args.profile, args.fraction)
    as_of = args.as_of or clock.today()
    demo.build(db, db.parent / "sample", as_of=as_of, returnees=args.returnees, load=load, profile=profile)
    _say(args.lang, f"已建库并装入演示县：{db}", f"Warehouse ready with the demo county: {db}")
    return max(codes, default=EXIT_OK)


def _cmd_template(args) -> int:
    from etl.templates import template

    if args.output is not None and args.output.is_dir():
        _err(
            args.lang,
            f"「{args.output}」是目录，请给出文件名，例如 {args.output / (args.dataset + ('.xlsx' if args.xlsx else '.csv'))}",
            f"'{args.output}' is a directory: give a file name, e.g. "
            f"{args.output / (args.dataset + ('.xlsx' if args.xlsx else '.csv'))}",
        )
        return EXIT_USAGE
    body = template(DATASETS[args.dataset], "xlsx" if args.xlsx else "csv", args.lang)
    if args.output:
        args.output.write_bytes(body)
    elif args.xlsx:
        print("Excel 模板需要 -o 文件名 / the xlsx template needs -o FILE", file=sys.stderr)
        return EXIT_USAGE
    else:
        sys.stdout.write(body.decode("utf-8-sig"))
    return EXIT_OK


def _cmd_boundaries(args, db: Path) -> int:
    """Check a boundary file against the registry; load it as one batch unless ``--check``."""
    from etl import boundaries

    data = boundaries.read_file(args.file)
    if args.check:
        checked, _ = boundaries.check_file(store.require(db), data, args.file.name)
        res = boundaries.LoadResult(checked.status, checked)
    else:
        res = boundaries.load(db, args.file, data=data, user=args.user)
    checked = res.checked
    if res.status == "noop":
        _say(args.lang, f"这份边界文件就是当前的边界（批次 {checked.duplicate_of}），未做任何改动。", f"These boundaries are already the current ones (batch {checked.duplicate_of}); nothing changed.")  # fmt: skip
        return EXIT_OK
    for title_zh, title_en, found in (("错误", "Errors", checked.errors), ("提示", "Warnings", checked.warnings)):
        if found:
            print(title_zh if args.lang == "zh" else title_en, f"({len(found)})")
            for line in boundaries.lines(found[:MAX_PRINTED_ERRORS], args.lang):
                print("  " + line)
    if res.status == "rejected":
        _say(args.lang, "未装入：边界文件有错误（见上），数据仓库未改动。", "Not loaded: the boundary file has errors (above); the warehouse is unchanged.")  # fmt: skip
        return EXIT_REJECTED
    n, towns, crs = checked.features_read, len(checked.shapes), checked.crs
    if args.check:
        _say(args.lang, f"校验通过：{n} 个要素，{towns} 个镇街（{crs}）。", f"Valid: {n} features, {towns} townships ({crs}).")  # fmt: skip
        return EXIT_OK
    _say(
        args.lang,
        f"已装入批次 {res.batch_id}（{boundaries.ZH}）：{n} 个要素，{towns} 个镇街（{crs}），替换了之前的边界（可用 rollback {res.batch_id} 撤销）。",
        f"Loaded batch {res.batch_id} ({boundaries.EN}): {n} features, {towns} townships ({crs}); it replaces the "
        f"previous boundaries (undo with rollback {res.batch_id}).",
    )  # fmt: skip
    return EXIT_OK


def _labelled(frame: pd.DataFrame, fields: dict[str, tuple[str, str]], lang: str) -> pd.DataFrame:
    i = 0 if lang == "zh" else 1
    return frame.rename(columns={k: v[i] for k, v in fields.items()})


def _cmd_batches(args, db: Path) -> int:
    frame = store.batches(store.Reader(store.require(db)))
    if not len(frame):
        _say(args.lang, "（无批次）", "(no batches)")
        return EXIT_OK
    i = 0 if args.lang == "zh" else 1
    out = frame.assign(
        dataset=[dataset_words(d)[0] if i == 0 else d for d in frame["dataset"]],
        sha256=frame["sha256"].str[:12],
        loaded_at=frame["loaded_at"].dt.strftime("%Y-%m-%d %H:%M"),
        status=[BATCH_STATUS[s][i] for s in frame["status"]],
        rolled_back_at=frame["rolled_back_at"].dt.strftime("%Y-%m-%d %H:%M").fillna(""),
    ).drop(columns=["rolled_back_by"])
    with pd.option_context("display.unicode.east_asian_width", True, "display.width", 200):
        print(_labelled(out, BATCH_FIELDS, args.lang).to_string(index=False))
    return EXIT_OK


def _cmd_quarantine(args, db: Path) -> int:
    reader = store.Reader(store.require(db))
    known = reader.query("SELECT batch_id FROM v_batches WHERE batch_id = ?", [args.batch_id])
    if not len(known):
        raise store.Refused(f"批次 {args.batch_id} 不存在", f"batch {args.batch_id} does not exist")
    frame = store.quarantine(reader, args.batch_id)
    if not len(frame):
        _say(args.lang, f"批次 {args.batch_id} 没有被隔离的行。", f"Batch {args.batch_id} has no quarantined rows.")
        return EXIT_OK
    _say(args.lang, f"批次 {args.batch_id} 被隔离的行（{len(frame)}）：", f"Quarantined rows of batch {args.batch_id} ({len(frame)}):")  # fmt: skip
    reason = "reason" if args.lang == "zh" else "reason_en"
    for rec in frame.to_dict(orient="records"):
        cells = "；".join(
            f"{printable(k, None)}={printable(v)}"
            for k, v in rec.items()
            if k not in ("row", "reason", "reason_en") and v != ""
        )
        label = QUARANTINE_FIELDS["row"][0 if args.lang == "zh" else 1]
        print(f"  {label} {rec['row']} | {printable(rec[reason], None)} | {cells}")
    return EXIT_OK


def _err(lang: str, zh: str, en: str) -> None:
    print(zh if lang == "zh" else en, file=sys.stderr)


def _not_a_warehouse(db: Path, *, empty_ok: bool = False) -> tuple[str, str] | None:
    """Why the file at ``db`` cannot be the warehouse (zh, en); None when it is one, or does not exist yet
    (or, with ``empty_ok``, is a DuckDB database without tables, which ``init`` turns into one)."""
    try:
        st = os.stat(db)
    except FileNotFoundError:
        return None
    hint_zh, hint_en = "请检查 --db 或 DASHBOARD_DB", "check --db or DASHBOARD_DB"
    if not stat.S_ISREG(st.st_mode):
        return f"「{db}」不是数据仓库文件（不是普通文件），{hint_zh}", f"'{db}' is not a warehouse file (not a regular file): {hint_en}"  # fmt: skip
    with open(db, "rb") as fh:
        head = fh.read(12)
    if head[8:12] != b"DUCK":  # every DuckDB database file carries this mark
        return f"「{db}」不是数据仓库文件（不是 DuckDB 数据库），{hint_zh}", f"'{db}' is not a warehouse file (not a DuckDB database): {hint_en}"  # fmt: skip
    reader = store.Reader(db)
    try:
        cur = reader.cursor()
        tables = {r[0] for r in cur.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = 'wh'").fetchall()}  # fmt: skip
        cur.close()
    except duckdb.Error as exc:
        return f"无法打开数据仓库「{db}」：{exc}", f"cannot open the warehouse '{db}': {exc}"
    finally:
        reader.close()
    if tables and "meta" not in tables:
        return f"「{db}」是 DuckDB 数据库，但不是本看板的数据仓库（没有 meta 表），{hint_zh}", f"'{db}' is a DuckDB database but not this dashboard's warehouse (it has no meta table): {hint_en}"  # fmt: skip
    if not tables and not empty_ok:
        return f"「{db}」是空的 DuckDB 数据库，请先运行 {PROG} --db {db} init", f"'{db}' is an empty DuckDB database: run {PROG} --db {db} init first"  # fmt: skip
    return None


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    db = args.db or store.default_db_path()
    commands = {
        "init": lambda: _cmd_init(args, db),
        "load": lambda: _cmd_load(args, db),
        "validate": lambda: _cmd_validate(args, db),
        "template": lambda: _cmd_template(args),
        "batches": lambda: _cmd_batches(args, db),
        "quarantine": lambda: _cmd_quarantine(args, db),
        "rollback": lambda: _cmd_rollback(args, db),
        "boundaries": lambda: _cmd_boundaries(args, db),
        "users": lambda: _cmd_users(args, db),
        "bulletin": lambda: _cmd_bulletin(args, db),
    }
    try:
        problem = (
            None if args.command in ("template", "users") else _not_a_warehouse(db, empty_ok=args.command == "init")
        )
        if problem is not None:
            _err(args.lang, *problem)
            return EXIT_USAGE
        return commands[args.command]()
    except readers.FileRejected as exc:  # the input file itself: not a regular file, over the size cap, unreadable
        print(exc.zh if args.lang == "zh" else exc.en, file=sys.stderr)
        return EXIT_USAGE if exc.code in ("input_not_file", "setting_invalid") else EXIT_REJECTED
    except warehouse.WarehouseBusy:
        print(
            "数据仓库正忙（另一个装入或回滚正在进行），请稍后重试。"
            if args.lang == "zh"
            else "The warehouse is busy (another load or rollback is running); try again later.",
            file=sys.stderr,
        )
        return EXIT_BUSY
    except store.NoWarehouse as exc:
        print(exc.zh if args.lang == "zh" else exc.en, file=sys.stderr)
        return EXIT_USAGE
    except accounts.AccountError as exc:
        print(exc.zh if args.lang == "zh" else exc.en, file=sys.stderr)
        return EXIT_REJECTED
    except store.Refused as exc:
        print(exc.zh if args.lang == "zh" else exc.en, file=sys.stderr)
        return EXIT_REJECTED
    except FileNotFoundError as exc:
        print(("文件不存在：" if args.lang == "zh" else "no such file: ") + str(exc.filename), file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:  # a directory given as a file, no permission, a full disk…: one line, no traceback
        _err(
            args.lang,
            f"无法读写「{exc.filename or ''}」：{exc.strerror or exc}",
            f"cannot read or write '{exc.filename or ''}': {exc.strerror or exc}",
        )
        return EXIT_USAGE
    except KeyboardInterrupt:
        _err(args.lang, "已中断，数据仓库未改动。", "Interrupted; the warehouse is unchanged.")
        return 130


def _cmd_bulletin(args, db: Path) -> int:
    """The monthly bulletin through the dashboard's read side (board.bulletin, in board.db's bare mode)."""
    suffix = args.out.suffix.lower()
    if suffix not in (".xlsx", ".pdf"):
        _err(args.lang, f"输出文件须为 .xlsx 或 .pdf：{args.out}", f"the output file must be .xlsx or .pdf: {args.out}")
        return EXIT_USAGE
    store.require(db)
    os.environ[store.DB_ENV] = str(db)  # the read side finds the warehouse where the command was pointed
    from board import bulletin
    from board.metrics import assessment

    known = set(assessment.versions()["version"])
    if args.rules is not None and args.rules not in known:
        raise store.Refused(f"考核规则版本 {args.rules} 不存在", f"rule version {args.rules} does not exist")
    if args.month > bulletin.last_month(args.year):
        last = bulletin.last_month(args.year)
        _err(args.lang, f"{args.year}年的数据只到 {last} 月", f"the data of {args.year} runs through month {last} only")
        return EXIT_USAGE
    build = bulletin.xlsx_bytes if suffix == ".xlsx" else bulletin.pdf_bytes
    args.out.write_bytes(build(args.year, args.month, args.lang, args.rules))
    _say(args.lang, f"已生成月度通报：{args.out}", f"Bulletin written: {args.out}")
    return EXIT_OK


def _cmd_rollback(args, db: Path) -> int:
    res = warehouse.rollback(db, args.batch_id, user=args.user)
    who, _ = _cli_actor()
    audit.write(
        who, "rollback", f"batch {res['batch_id']} {res['dataset']} user={args.user}", "cli", f"{PROG} rollback"
    )
    zh, en = dataset_words(res["dataset"])
    _say(args.lang, f"已回滚批次 {res['batch_id']}（{zh}）。", f"Rolled back batch {res['batch_id']} ({en}).")
    return EXIT_OK


def _read_password(lang: str) -> str:
    """The new password: typed twice without echo at a terminal, else the first line of standard input."""
    if sys.stdin is not None and sys.stdin.isatty():
        import getpass

        first = getpass.getpass("密码 Password: ")
        if getpass.getpass("再输入一次 Repeat: ") != first:
            raise accounts.AccountError(
                "两次输入的密码不一致，账号未改动。", "The passwords differ; nothing was changed."
            )
        return first
    line = sys.stdin.readline() if sys.stdin is not None else ""
    return line.rstrip("\r\n")


def _registered_townships(db: Path) -> tuple[str, ...] | None:
    """The townships of the warehouse's unit registry; None without a warehouse or a registry."""
    if store.version(db) is None or _not_a_warehouse(db) is not None:
        return None
    reader = store.Reader(db)
    try:
        names = tuple(reader.query("SELECT name FROM v_units WHERE type = '镇街'")["name"])
    except duckdb.Error:
        return None
    finally:
        reader.close()
    return names or None


def _cli_actor() -> tuple[str, str]:
    """(who, agent) of a command, for the audit log: the OS user."""
    import getpass

    try:
        who = getpass.getuser()
    except (KeyError, OSError):
        who = "?"
    return f"{who} (cli)", f"{PROG} users"  # (who, agent)


def _cmd_users(args, db: Path) -> int:
    lang = args.lang
    who, agent = _cli_actor()
    if args.users_command == "list":
        found = accounts.accounts()
        if not found:
            _say(lang, f"没有账号（{accounts.path()}）：看板以本机单用户模式运行。", f"No accounts ({accounts.path()}): the dashboard runs in local single-user mode.")  # fmt: skip
            return EXIT_OK
        head = ("账号", "角色", "镇街", "创建时间") if lang == "zh" else ("name", "role", "townships", "created")
        print("\t".join(head))
        everywhere = "全部" if lang == "zh" else "all"
        for acc in found:
            print("\t".join([printable(acc.name), acc.role, "、".join(acc.townships) or everywhere, acc.created]))
        return EXIT_OK
    name = accounts.check_name(args.name)
    if args.users_command == "remove":
        if not accounts.remove(name):
            _err(lang, f"没有账号「{printable(name)}」。", f"No account '{printable(name)}'.")
            return EXIT_REJECTED
        audit.write(who, "user_removed", name, "cli", agent)
        _say(lang, f"已删除账号「{printable(name)}」。", f"Removed account '{printable(name)}'.")
        return EXIT_OK
    towns = [t.strip() for t in args.townships.replace("，", ",").split(",") if t.strip()]
    registered = _registered_townships(db)
    unknown = [t for t in towns if registered is not None and t not in registered]
    if unknown:
        raise accounts.AccountError(
            f"单位名录中没有这些镇街：{'、'.join(unknown)}（可选：{'、'.join(registered or ())}）",
            f"not townships of the unit registry: {', '.join(unknown)} (registered: {', '.join(registered or ())})",
        )
    existed = accounts.get(name) is not None
    acc = accounts.add(name, args.role, _read_password(lang), towns)
    scope = ",".join(acc.townships) or "*"
    audit.write(
        who, "user_added", f"{name} role={acc.role} townships={scope}" + (" (reset)" if existed else ""), "cli", agent
    )
    where_zh = "、".join(acc.townships) or "全部镇街"
    where_en = ", ".join(acc.townships) or "every township"
    if existed:
        _say(lang, f"已更新账号「{printable(name)}」：{acc.role}，{where_zh}。", f"Updated account '{printable(name)}': {acc.role}, {where_en}.")  # fmt: skip
    else:
        _say(lang, f"已创建账号「{printable(name)}」：{acc.role}，{where_zh}。", f"Created account '{printable(name)}': {acc.role}, {where_en}.")  # fmt: skip
    if registered is None and towns:
        _say(
            lang,
            "（未找到单位名录，镇街名称未核对。）",
            "(No unit registry found: the township names were not checked.)",
        )
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
