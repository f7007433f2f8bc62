"""Warehouse DDL and the public read views, generated from the dataset contracts.

Storage is append-only: each dataset has a table ``ds_<name>`` holding every loaded row
with its ``_batch_id`` and file ``_row``. Nothing is ever deleted: a later batch with the
same key supersedes earlier rows in the views, and a rolled-back batch is only marked so
in ``batches``. The ``v_*`` views are the stable, documented read contract.
"""

from __future__ import annotations

import re

from etl import assessment_rules, metric_catalogue, park_grading, people_rollups
from etl.contracts import DATASETS, SIZE_TIERS, WHOLE_JURISDICTION, Dataset

SCHEMA_VERSION = "8"

DEFAULT_SETTINGS: dict[str, str] = {
    "schema_version": SCHEMA_VERSION,
    "settings.stalled_signed_days": "180",
    "settings.stalled_no_funds_months": "6",
}

BASE_DDL = """
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS batches (
    batch_id BIGINT PRIMARY KEY,
    dataset VARCHAR NOT NULL,
    file_name VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    file_format VARCHAR,
    encoding VARCHAR,
    sheet VARCHAR,
    rows_read BIGINT NOT NULL,
    rows_loaded BIGINT NOT NULL,
    rows_rejected BIGINT NOT NULL,
    user_name VARCHAR NOT NULL,
    loaded_at TIMESTAMP NOT NULL,
    kept_path VARCHAR,
    warnings VARCHAR,
    status VARCHAR NOT NULL DEFAULT 'loaded',
    rolled_back_at TIMESTAMP,
    rolled_back_by VARCHAR
);
CREATE TABLE IF NOT EXISTS quarantine (
    batch_id BIGINT NOT NULL,
    dataset VARCHAR NOT NULL,
    "row" BIGINT,
    reason VARCHAR NOT NULL,
    cells JSON,
    reason_en VARCHAR
);
ALTER TABLE quarantine ADD COLUMN IF NOT EXISTS reason_en VARCHAR;
"""


def q(name: str) -> str:
    """Quote an identifier that comes from the contracts (never from user input)."""
    if not name.replace("_", "").isalnum() or not name.isascii():
        raise ValueError(name)
    return '"' + name + '"'


def table_name(ds: Dataset) -> str:
    return "ds_" + ds.name


def dataset_ddl(ds: Dataset) -> str:
    cols = [q(n) + " " + t for n, t in ds.stored_columns()]
    cols += ['"_batch_id" BIGINT NOT NULL', '"_row" BIGINT']
    return "CREATE TABLE IF NOT EXISTS " + table_name(ds) + " (" + ", ".join(cols) + ")"


def dataset_migrations(ds: Dataset) -> list[str]:
    """A column added to a contract after a warehouse was made: ``CREATE TABLE IF NOT EXISTS`` leaves an
    existing table as it is, so every stored column is also added if missing (its earlier rows hold NULL)."""
    return [f"ALTER TABLE {table_name(ds)} ADD COLUMN IF NOT EXISTS {q(n)} {t}" for n, t in ds.stored_columns()]


def current_select(ds: Dataset) -> str:
    """Current state of one dataset: per key, the row of the latest batch still loaded."""
    key = ", ".join("d." + q(k) for k in ds.key)
    cols = ", ".join("d." + q(n) for n, _ in ds.stored_columns())
    return (
        "SELECT " + cols + ", d._batch_id AS batch_id FROM " + table_name(ds) + " d "
        "JOIN batches b ON b.batch_id = d._batch_id AND b.status = 'loaded' "
        "QUALIFY row_number() OVER (PARTITION BY " + key + " ORDER BY d._batch_id DESC) = 1"
    )


def insert_sql(ds: Dataset) -> str:
    """INSERT of the registered frame ``incoming`` (stored columns + ``_row``); one parameter: batch id."""
    stored = ds.stored_columns()
    cols = ", ".join(q(n) for n, _ in stored)
    casts = ", ".join("CAST(" + q(n) + " AS " + t + ")" for n, t in stored)
    return (
        "INSERT INTO " + table_name(ds) + " (" + cols + ", _batch_id, _row) "
        "SELECT " + casts + ", ?, CAST(_row AS BIGINT) FROM incoming"
    )


def overlap_sql(ds: Dataset) -> str:
    """Loaded batches after batch ? that hold a key also in batch ?; one row per such batch."""
    on = " AND ".join("l." + q(k) + " IS NOT DISTINCT FROM e." + q(k) for k in ds.key)
    t = table_name(ds)
    return (
        "SELECT DISTINCT l._batch_id FROM " + t + " l JOIN batches b ON b.batch_id = l._batch_id "
        "AND b.status = 'loaded' AND l._batch_id > ? "
        "WHERE EXISTS (SELECT 1 FROM " + t + " e WHERE e._batch_id = ? AND " + on + ") ORDER BY 1"
    )


def existing_keys_sql(ds: Dataset) -> str:
    """How many keys of the registered frame ``incoming_keys`` the current state of ``ds`` already holds."""
    on = " AND ".join("i." + q(k) + " IS NOT DISTINCT FROM c." + q(k) for k in ds.key)
    return "SELECT count(*) FROM incoming_keys i WHERE EXISTS (SELECT 1 FROM v_" + ds.name + " c WHERE " + on + ")"


def current_for_keys_sql(ds: Dataset) -> str:
    """The current rows of ``ds`` whose key is in the registered frame ``incoming_keys`` (key columns and
    ``_pos``, the row's position in the file); one row per such key: ``_pos`` then the stored columns."""
    on = " AND ".join("i." + q(k) + " IS NOT DISTINCT FROM c." + q(k) for k in ds.key)
    cols = ", ".join("c." + q(n) for n, _ in ds.stored_columns())
    return "SELECT i._pos, " + cols + " FROM incoming_keys i JOIN v_" + ds.name + " c ON " + on + " ORDER BY 1"


def superseded_sql(ds: Dataset) -> str:
    """What batch ? replaced: per key of its rows, the row it superseded (the latest row of that key in an
    earlier batch still loaded). Parameters: batch id twice, then a row limit. One row per superseded key, in
    the batch's file order: ``_row`` (as in Excel), ``prev_batch``, then ``old_<col>`` and ``new_<col>`` for
    every stored column."""
    key = ", ".join(q(k) for k in ds.key)
    on = " AND ".join("p." + q(k) + " IS NOT DISTINCT FROM n." + q(k) for k in ds.key)
    t = table_name(ds)
    stored = [n for n, _ in ds.stored_columns()]
    cols = ", ".join("p." + q(n) + " AS " + q("old_" + n) + ", n." + q(n) + " AS " + q("new_" + n) for n in stored)
    return (
        "WITH prev AS (SELECT d.* FROM " + t + " d JOIN batches b ON b.batch_id = d._batch_id "
        "AND b.status = 'loaded' WHERE d._batch_id < ? "
        "QUALIFY row_number() OVER (PARTITION BY " + key + " ORDER BY d._batch_id DESC) = 1) "
        "SELECT n._row, p._batch_id AS prev_batch, " + cols + " FROM " + t + " n JOIN prev p ON " + on + " "
        "WHERE n._batch_id = ? ORDER BY n._row LIMIT ?"
    )


def seen_units_sql() -> str:
    """Every unit name the loaded data uses (the columns declared with unit types in the contracts)."""
    parts = [
        "SELECT " + q(c.name) + " AS name FROM v_" + d.name
        for d in DATASETS.values()
        for c in d.columns
        if c.unit_types
    ]
    return "SELECT DISTINCT name FROM (" + " UNION ALL ".join(parts) + ") WHERE name IS NOT NULL"


# Extra derived columns per public view (period split into year/month; contract blank = total).
def size_tier_sql(amount: str) -> str:
    """SQL: the size tier code (contracts.SIZE_TIERS) of an amount in 万元; a boundary belongs to the upper tier."""
    whens = " ".join(
        "WHEN " + amount + " >= " + repr(float(low)) + " THEN '" + code + "'"
        for code, low, _, _ in reversed(SIZE_TIERS)
    )
    return "CASE " + whens + " END"


_VIEW_SELECT: dict[str, str] = {
    "projects": "SELECT * REPLACE (coalesce(contract_investment, total_investment) AS contract_investment), "
    + size_tier_sql("total_investment")
    + " AS size_tier FROM cur",
    "funding": "SELECT project_id, period, CAST(left(period, 4) AS INTEGER) AS year, "
    "CAST(right(period, 2) AS INTEGER) AS month, * EXCLUDE (project_id, period) FROM cur",
    "labor": "SELECT township, period, CAST(left(period, 4) AS INTEGER) AS year, "
    "CAST(right(period, 2) AS INTEGER) AS month, * EXCLUDE (township, period) FROM cur",
    "parks": "SELECT park, period, CAST(left(period, 4) AS INTEGER) AS year, "
    "CASE WHEN length(period) = 7 THEN CAST(right(period, 2) AS INTEGER) END AS month, "
    "* EXCLUDE (park, period) FROM cur",
}


def cur_table(ds: Dataset) -> str:
    """The materialised current state of ``ds`` (schema 8): the rows of :func:`current_select`, kept by
    etl.maintain inside every load and rollback transaction, so a read scans a plain table."""
    return "cur_" + ds.name


def rebuild_current_sql(ds: Dataset) -> str:
    """The current-state table of ``ds`` computed from the whole history (init, migration, the tests' check)."""
    return "CREATE OR REPLACE TABLE " + cur_table(ds) + " AS " + current_select(ds)


def view_body(ds: Dataset, cur: str) -> str:
    """The public view's SELECT over the current rows ``cur`` (a table or a subquery)."""
    return "WITH cur AS (SELECT * FROM " + cur + ") " + _VIEW_SELECT.get(ds.name, "SELECT * FROM cur")


def public_view(ds: Dataset) -> str:
    return "CREATE OR REPLACE VIEW v_" + ds.name + " AS " + view_body(ds, cur_table(ds))


_WHOLE = ", ".join("'" + w + "'" for w in WHOLE_JURISDICTION)


def answers_for(township: str, park: str, unit: str) -> str:
    """SQL list of the distinct unit names a row answers for: its township, park and responsible unit.

    The one rule of which units count a fact or a project; a target's unit is matched against it.
    """
    return "list_distinct(list_filter([" + ", ".join((township, park, unit)) + "], lambda x: x IS NOT NULL))"


FACT_COLUMNS = "year, month, township, park, responsible_unit, industry, project_id, value"
# Which rows of v_parks (``pk``) make a park-year's flows: its annual row when it has one (the year's figure),
# otherwise its monthly rows, summed. The one rule, used by the facts (park_flows) and by the park efficiency view.
PARK_FLOW_ROW = (
    "(pk.month IS NULL OR NOT EXISTS (SELECT 1 FROM v_parks a WHERE a.month IS NULL AND a.park = pk.park "
    "AND a.year = pk.year))"
)
# The source relations a catalogue record's facts branch selects from (etl.metric_catalogue).
_FACT_SOURCES_SQL = (
    """
WITH last_year AS (
    -- the latest year the projects and their funds speak of: carry-over of unfinished projects runs up to
    -- it (not the targets' years: a plan for a later year must not invent projects under construction then)
    SELECT max(y) AS y FROM (
        SELECT max(year(signed_date)) FROM v_projects UNION ALL SELECT max(year(started_date)) FROM v_projects
        UNION ALL SELECT max(year) FROM v_funding) t(y)
),
signed AS (SELECT * FROM v_projects WHERE signed_date IS NOT NULL),
fund AS (
    SELECT f.*, p.township, p.park, p.responsible_unit, p.industry
    FROM v_funding f LEFT JOIN v_projects p USING (project_id)
),
park_flows AS (
    -- flows: an annual row, when present, is the year's figure; otherwise the monthly rows are summed
    SELECT pk.park, pk.year, coalesce(pk.month, 12) AS month, pk.revenue, pk.industrial_output, pk.tax
    FROM v_parks pk
    WHERE """
    + PARK_FLOW_ROW
    + """
),
under_construction AS (
    -- 开工项目含上年接转: a project counts in every year from its start while under construction:
    -- until the year it was completed; a stalled or terminated one only in its start year.
    SELECT p.*, y.year
    FROM v_projects p,
         LATERAL (SELECT unnest(range(year(p.started_date),
                    CASE WHEN p.completed_date IS NOT NULL THEN year(p.completed_date)
                         WHEN p.status IN ('停滞', '终止') THEN year(p.started_date)
                         ELSE greatest((SELECT y FROM last_year), year(p.started_date)) END + 1)) AS year) y
    WHERE p.started_date IS NOT NULL
),
"""
)


def _literal(code: str) -> str:
    q(code)  # a catalogue code is an identifier
    return "'" + code + "'"


def unit_facts_select(
    metrics: tuple[str, ...] | None = None,
    where: str = "",
    first_id: str = "0",
    prefilter: tuple[frozenset[str], str] | None = None,
) -> str:
    """The unit-keyed facts of ``metrics`` (default: every catalogue metric), optionally only the facts whose
    columns satisfy ``where`` (a condition on a fact's columns, alias ``f``), numbered ``fact_id`` from
    ``first_id`` + 1. ``prefilter`` (relations, condition on alias ``r``): the same condition applied to those
    source relations' rows first, so the join behind them reads only those (etl.maintain: the relations whose
    columns named in the condition are the facts' own). Grain: one row per fact and unit it counts under."""
    chosen = metric_catalogue.METRICS if metrics is None else tuple(metric_catalogue.BY_CODE[c] for c in metrics)
    cond = " WHERE " + where if where else ""

    scoped = ""  # the prefiltered relations, computed once (MATERIALIZED) for every branch that reads them
    if prefilter is not None:
        rels, on = prefilter
        scoped = "".join(f"{r}_in AS MATERIALIZED (SELECT * FROM {r} r WHERE {on}),\n" for r in sorted(rels))

    def facts(m: metric_catalogue.Metric) -> str:
        if prefilter is None:
            return m.facts
        pattern = r"\bFROM\s+(" + "|".join(sorted(prefilter[0])) + r")\b"
        return re.sub(pattern, lambda x: "FROM " + x.group(1) + "_in", m.facts)

    branches = [
        "SELECT " + _literal(m.code) + " AS metric, f.* FROM (" + facts(m) + ") AS f(" + FACT_COLUMNS + ")" + cond
        for m in chosen
    ]
    return (
        _FACT_SOURCES_SQL
        + scoped
        + "facts AS (\n"
        + "\nUNION ALL\n".join(branches)
        + "\n),\nnumbered AS (SELECT "
        + first_id
        + " + row_number() OVER () AS fact_id, * FROM facts)\n"
        + "SELECT metric, year, month, unnest(list_prepend('*', "
        + answers_for("township", "park", "responsible_unit")
        + ")) AS unit, fact_id, township, park, responsible_unit, industry, project_id, value FROM numbered"
    )


# The unit-keyed facts: every fact once under '*' (the whole jurisdiction) and once under each unit it
# answers for. This is the single definition of every "actual" (DOMAIN.md §5); v_target_progress and
# every read function select from it. It is materialised as the table unit_facts, built whole by init and
# kept by etl.maintain inside every load and rollback transaction (only the metrics, and where exact the
# keys or years, the batch touches), stored sorted by metric, year and unit, so pages read a small sorted
# table, not a join. Grain: one row per fact and unit it counts under.
UNIT_FACTS_SELECT = unit_facts_select()
FACTS_ORDER = "metric, year, unit, month"

# Datasets the facts are computed from: a batch of any other (returnees, units) does not refresh them.
FACT_SOURCES = frozenset({"projects", "funding", "targets", "parks", "training", "ventures", "labor", "leads"})
REFRESH_FACTS = "CREATE OR REPLACE TABLE unit_facts AS " + UNIT_FACTS_SELECT + " ORDER BY " + FACTS_ORDER

# Small rollups the pages read, kept with the facts (etl.maintain) for the (metric, year)s a batch touches:
# unit_sums, one row per metric, year, month, unit and industry (the per-unit actuals, v_target_progress);
# fact_dims, one row per metric, year, filter dimension and value the facts use, with n the number of facts
# (the filter options);
# returnee_townships, one row per township the current returnees name (the filter options).
UNIT_SUMS_SELECT = (
    "SELECT metric, year, month, unit, industry, sum(value) AS actual FROM unit_facts {where} GROUP BY ALL"
)
FACT_DIMS_SELECT = (
    "SELECT metric, year, dim, v, count(*) AS n FROM (SELECT metric, year, unnest(['township', 'industry', 'park']) "
    "AS dim, unnest([township, industry, park]) AS v FROM {table} WHERE unit = '*' {also}) WHERE v IS NOT NULL "
    "GROUP BY ALL"
)
RETURNEE_TOWNSHIPS_SELECT = "SELECT DISTINCT township FROM cur_returnees WHERE township IS NOT NULL"
REBUILD_ROLLUPS = [
    "CREATE OR REPLACE TABLE unit_sums AS " + UNIT_SUMS_SELECT.format(where="") + " ORDER BY metric, year, unit",
    "CREATE OR REPLACE TABLE fact_dims AS " + FACT_DIMS_SELECT.format(table="unit_facts", also="") + " ORDER BY ALL",
    "CREATE OR REPLACE TABLE returnee_townships AS " + RETURNEE_TOWNSHIPS_SELECT,
    *people_rollups.REBUILD,  # the person pages' rollups (etl.people_rollups)
]


def derived_fingerprint() -> str:
    """A digest of every derived table's definition: init rebuilds them all when the stored one differs."""
    import hashlib

    text = "\n".join([*(current_select(ds) for ds in DATASETS.values()), REFRESH_FACTS, *REBUILD_ROLLUPS])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


FACT_VIEWS = [
    "CREATE OR REPLACE VIEW v_unit_facts AS SELECT * FROM unit_facts",
    # one row per contribution (the whole-jurisdiction copy of each fact)
    "CREATE OR REPLACE VIEW v_metric_facts AS SELECT metric, year, month, township, park, responsible_unit, "
    "industry, project_id, value FROM unit_facts WHERE unit = '*'",
    "CREATE OR REPLACE VIEW v_project_units AS SELECT project_id, unnest("
    + answers_for("township", "park", "responsible_unit")
    + ") AS unit FROM v_projects",
    "DROP TABLE IF EXISTS metric_facts",  # schema 1 kept the facts unkeyed
    # the rollups kept with the facts (etl.maintain), for the pages' per-unit sums and filter options
    "CREATE OR REPLACE VIEW v_unit_sums AS SELECT metric, year, month, unit, industry, actual FROM unit_sums",
    "CREATE OR REPLACE VIEW v_fact_dims AS SELECT metric, year, dim, v FROM fact_dims",
    "CREATE OR REPLACE VIEW v_returnee_townships AS SELECT township FROM returnee_townships",
]

TARGET_PROGRESS = (
    """
CREATE OR REPLACE VIEW v_target_progress AS
WITH agg AS (SELECT metric, year, unit, sum(actual) AS actual FROM v_unit_sums GROUP BY ALL)
SELECT t.year, t.unit, t.metric, t.target, coalesce(a.actual, 0) AS actual,
       CASE WHEN t.target > 0 THEN coalesce(a.actual, 0) / t.target END AS completion_rate
FROM v_targets t
LEFT JOIN agg a ON a.metric = t.metric AND a.year = t.year
 AND a.unit = CASE WHEN t.unit IN ("""
    + _WHOLE
    + """) THEN '*' ELSE t.unit END
"""
)

# Park stocks (the latest recorded value of the period; an annual row counts as December and wins over a December
# row) and flows (PARK_FLOW_ROW, summed), in v_parks' units.
PARK_STOCKS: tuple[str, ...] = ("land_used_mu", "developed_area_km2", "enterprises", "jobs")
PARK_FLOWS: tuple[str, ...] = (
    "revenue",
    "industrial_output",
    "tax",
    "fixed_asset_investment",
    "infrastructure_investment",
)
# The efficiency measures: (name, numerator, denominator). Money in 万元, land in 亩, jobs in 人: 万元/亩 and 万元/人.
PARK_RATIOS: tuple[tuple[str, str, str], ...] = (
    ("tax_per_mu", "tax", "land_used_mu"),  # 亩均税收
    ("output_per_mu", "industrial_output", "land_used_mu"),  # 亩均产值
    ("investment_intensity", "fixed_asset_investment", "land_used_mu"),  # 投资强度
    ("output_per_job", "industrial_output", "jobs"),  # 人均产值
)
assert tuple(r[0] for r in PARK_RATIOS) == park_grading.MEASURES


def _grading_setting(key: str, default: float) -> str:
    """SQL: the meta table's number for ``park_grading.<key>``, else the default (etl.park_grading)."""
    q(key.replace(".", "_"))
    return (
        "coalesce(max(CASE WHEN key = '"
        + park_grading.META_PREFIX
        + key
        + "' THEN TRY_CAST(value AS DOUBLE) END), "
        + repr(float(default))
        + ")"
    )


def _park_efficiency_sql() -> str:
    """The park efficiency relation: grain one row per park, year and as-of month 1–12 (the rows of v_parks dated
    in months 1 through it). The grade's one definition: see etl.park_grading for the rule in words."""
    w = {m: "w_" + m for m in park_grading.MEASURES}
    cfg = [_grading_setting("weight." + m, park_grading.DEFAULT_WEIGHTS[m]) + " AS " + w[m] for m in w]
    cfg += [_grading_setting("band." + g, park_grading.DEFAULT_BANDS[g]) + " AS band_" + g for g in park_grading.BANDED]
    order = "r.at_month * 2 + CAST(r.annual AS INTEGER)"  # an annual row is December's, after a December row
    stocks = [f"arg_max(r.{q(c)}, {order}) FILTER (WHERE r.{q(c)} IS NOT NULL) AS {q(c)}" for c in PARK_STOCKS]
    flows = [f"sum(r.{q(c)}) FILTER (WHERE r.counts_as_flow) AS {q(c)}" for c in PARK_FLOWS]
    ratios = [f"{q(n)} / nullif({q(d)}, 0) AS {q(m)}" for m, n, d in PARK_RATIOS]
    graded = " AND ".join(q(m) + " IS NOT NULL" for m in park_grading.MEASURES)
    part = "PARTITION BY year, as_of_month, graded"
    ranks = [f"CASE WHEN graded THEN percent_rank() OVER ({part} ORDER BY {q(m)}) END AS pr_{m}" for m in w]
    weighted = " + ".join(f"{w[m]} * pr_{m}" for m in w)
    total = " + ".join(w.values())
    grade = " ".join(f"WHEN ahead * 100 < band_{g} * graded_parks THEN '{g}'" for g in park_grading.BANDED)
    return f"""
CREATE OR REPLACE VIEW park_efficiency_months AS
WITH cfg AS (SELECT {", ".join(cfg)} FROM meta),
cut AS (SELECT unnest(range(1, 13)) AS as_of_month),
dated AS (
    SELECT pk.*, coalesce(pk.month, 12) AS at_month, pk.month IS NULL AS annual, {PARK_FLOW_ROW} AS counts_as_flow
    FROM v_parks pk),
agg AS (
    SELECT r.park, r.year, c.as_of_month, max(r.at_month) AS through_month, {", ".join(stocks + flows)}
    FROM dated r JOIN cut c ON r.at_month <= c.as_of_month
    GROUP BY r.park, r.year, c.as_of_month),
ratios AS (SELECT *, {", ".join(ratios)} FROM agg),
flagged AS (SELECT *, {graded} AS graded FROM ratios),
ranked AS (SELECT *, {", ".join(ranks)} FROM flagged),
scored AS (SELECT ranked.*, cfg.*, CASE WHEN graded THEN round(100 * ({weighted}) / ({total}), 6) END AS score
           FROM ranked, cfg),
placed AS (
    SELECT *, CASE WHEN graded THEN rank() OVER ({part} ORDER BY score DESC) - 1 END AS ahead,
           CASE WHEN graded THEN count(*) OVER ({part}) END AS graded_parks
    FROM scored)
SELECT park, year, as_of_month, through_month, {", ".join(q(c) for c in PARK_STOCKS + PARK_FLOWS)},
       {", ".join(q(m) for m in park_grading.MEASURES)}, {", ".join("pr_" + m for m in w)}, score, ahead, graded_parks,
       CASE WHEN graded THEN CASE {grade} ELSE 'D' END END AS grade
FROM placed"""


# The public view: one row per park and year, over every row of the year loaded (a past year: January–December
# or its annual row; the current year: January through its latest month loaded, ``through_month``).
PARK_EFFICIENCY_VIEWS = [
    _park_efficiency_sql(),
    "CREATE OR REPLACE VIEW v_park_efficiency AS SELECT park, year, land_used_mu, revenue, industrial_output, tax, "
    "jobs, enterprises, fixed_asset_investment, tax_per_mu, output_per_mu, investment_intensity, output_per_job, "
    "grade, score, through_month FROM park_efficiency_months WHERE as_of_month = 12",
]

BATCH_VIEWS = """
CREATE OR REPLACE VIEW v_batches AS
SELECT batch_id, dataset, file_name, sha256, file_format, encoding, sheet, rows_read, rows_loaded, rows_rejected,
       user_name, loaded_at, status, rolled_back_at, rolled_back_by, warnings
FROM batches;
CREATE OR REPLACE VIEW v_quarantine AS
SELECT q.batch_id, q.dataset, q."row", q.reason, q.reason_en, q.cells, b.status AS batch_status
FROM quarantine q JOIN batches b USING (batch_id);
"""


def grading_meta_sql(grading: park_grading.Grading) -> str:
    """The statement that writes the grading settings into the meta table (validated numbers, fixed keys)."""
    return "INSERT OR REPLACE INTO meta VALUES " + ", ".join(f"('{k}', '{v}')" for k, v in grading.meta_rows().items())


# Township boundaries (etl.boundaries): one row per township of a boundaries batch; a batch replaces the
# previous boundaries whole, so the current ones are the rows of the latest loaded boundaries batch (a rolled-back
# batch brings the one before it back). Geometries are GeoJSON text in CGCS2000/WGS84 degrees (schema 5).
BOUNDARIES_DDL = [
    """CREATE TABLE IF NOT EXISTS boundaries (
    batch_id BIGINT NOT NULL,
    township VARCHAR NOT NULL,
    code VARCHAR,
    features VARCHAR,
    geometry_geojson VARCHAR NOT NULL,
    simplified_geojson VARCHAR NOT NULL,
    label_lon DOUBLE,
    label_lat DOUBLE,
    area_km2 DOUBLE,
    crs VARCHAR,
    tolerance_deg DOUBLE
)""",
    """CREATE OR REPLACE VIEW v_boundaries AS
SELECT township, code, geometry_geojson, simplified_geojson, label_lon, label_lat, area_km2, crs, tolerance_deg,
       features, batch_id
FROM boundaries
WHERE batch_id = (SELECT max(batch_id) FROM batches WHERE dataset = 'boundaries' AND status = 'loaded')""",
]


def derived_ddl(rebuild: bool) -> list[str]:
    """The derived tables (current state, facts, rollups): rebuilt from the history when ``rebuild`` (a new
    warehouse or a changed definition, see :func:`derived_fingerprint`), else created only when missing."""
    if rebuild:
        return [*(rebuild_current_sql(ds) for ds in DATASETS.values()), REFRESH_FACTS, *REBUILD_ROLLUPS]
    made = [s.replace("CREATE OR REPLACE TABLE", "CREATE TABLE IF NOT EXISTS", 1) for s in derived_ddl(True)]
    return made


def all_ddl(rebuild: bool = True) -> list[str]:
    """Every statement that creates the warehouse, in order (idempotent); reads the park grading settings file.
    ``rebuild``: recompute the derived tables from the history (see :func:`derived_ddl`)."""
    stmts = [s for s in BASE_DDL.split(";") if s.strip()]
    stmts += [dataset_ddl(ds) for ds in DATASETS.values()]
    stmts += [m for ds in DATASETS.values() for m in dataset_migrations(ds)]
    derived = derived_ddl(rebuild)
    n_cur = len(DATASETS)
    stmts += derived[:n_cur]  # the current-state tables, before the views that read them
    stmts += [public_view(ds) for ds in DATASETS.values()]
    stmts += derived[n_cur:]
    stmts += [*FACT_VIEWS, TARGET_PROGRESS, *PARK_EFFICIENCY_VIEWS]
    stmts += [s for s in BATCH_VIEWS.split(";") if s.strip()]
    # the grading settings of v_park_efficiency, from data/park_grading.toml (Invalid: nothing is changed)
    stmts.append(grading_meta_sql(park_grading.load()))
    stmts += BOUNDARIES_DDL
    # the assessment rule versions and the points computed from them (etl.assessment_rules)
    stmts += assessment_rules.DDL + assessment_rules.POINTS_VIEWS
    return stmts
