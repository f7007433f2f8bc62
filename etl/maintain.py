"""The derived tables kept inside every load and rollback transaction: current state, facts, rollups.

The history (``ds_<name>``, append-only) is the truth; three kinds of tables are derived from it and kept
equal to a full recomputation by the writer (etl.warehouse), inside the batch's own transaction:

- the current state ``cur_<name>`` (etl.schema.cur_table): per key, the row of the latest loaded batch. A load
  deletes the keys its batch holds and inserts the batch's rows; a rollback deletes the batch's rows and puts
  back, for its keys, the latest row of an earlier batch still loaded (a later batch holding the same keys
  makes the rollback refused, so the batch's rows are exactly the current rows of its keys).
- the facts ``unit_facts``: only the metrics whose facts read the batch's dataset (:data:`DEPENDS`), and of
  those only the facts the batch can change (the scope, ``_KEY_SCOPES``): the projects of a projects batch; the project
  months of a funding batch; the park years of a parks batch; the township months of a labour batch; for any
  other dataset the years the replaced and the new rows give facts in. When carry-over must move (the latest
  year the projects and funds speak of changed, etl.schema ``last_year``) the carry-over metrics are
  recomputed whole.
- the rollups (etl.schema.REBUILD_ROLLUPS): ``unit_sums`` recomputed for the (metric, year, month)s whose
  facts changed; ``fact_dims`` kept by counts (less the deleted facts', plus the inserted facts');
  ``returnee_townships`` by the townships of the replaced and the new returnees rows; the person pages'
  rollups (etl.people_rollups) by counts from the replaced and the new rows of the batch's keys, or rebuilt.

``unit_facts`` stays stored by (metric, year, unit): each refresh appends its rows sorted, and the table is
rewritten in order once the rows appended since the last ordering pass a quarter of it.
"""

from __future__ import annotations

import re

from etl import metric_catalogue, people_rollups, schema
from etl.contracts import DATASETS, Dataset

# The source relations of etl.schema's facts SQL and the datasets each reads.
_RELATIONS: dict[str, frozenset[str]] = {
    "signed": frozenset({"projects"}),
    "fund": frozenset({"funding", "projects"}),
    "under_construction": frozenset({"projects"}),
    "park_flows": frozenset({"parks"}),
}
_CARRY_RELATION = "under_construction"  # reads last_year: moves when the latest project/fund year moves
_LAST_YEAR_SQL = (
    "SELECT max(y) FROM (SELECT max(year(signed_date)) FROM cur_projects UNION ALL "
    "SELECT max(year(started_date)) FROM cur_projects UNION ALL "
    "SELECT max(CAST(left(period, 4) AS INTEGER)) FROM cur_funding) t(y)"
)
RESORT_SHARE = 0.25  # rewrite unit_facts in order once this share of it was appended since the last ordering


def _relations(m: metric_catalogue.Metric) -> set[str]:
    return set(re.findall(r"\bFROM\s+(\w+)", m.facts, flags=re.IGNORECASE))


def metric_sources(m: metric_catalogue.Metric) -> frozenset[str]:
    """The datasets a catalogue metric's facts are computed from."""
    out: set[str] = set()
    for rel in _relations(m):
        if rel in _RELATIONS:
            out |= _RELATIONS[rel]
        elif rel.startswith("v_") and rel[2:] in DATASETS:
            out.add(rel[2:])
        else:
            raise ValueError(f"metric {m.code}: unknown source relation {rel}")
    return frozenset(out)


DEPENDS: dict[str, frozenset[str]] = {m.code: metric_sources(m) for m in metric_catalogue.METRICS}
CARRY: tuple[str, ...] = tuple(m.code for m in metric_catalogue.METRICS if _CARRY_RELATION in _relations(m))

# Datasets whose keys name the facts they feed: (fact columns, SQL of those columns from the keys in _keys).
# The source relations whose rows carry those columns as the facts do (the scope filters them before the joins).
_KEY_RELATIONS: dict[str, frozenset[str]] = {
    "projects": frozenset({"signed", "fund", "under_construction", "v_projects"}),
    "funding": frozenset({"fund"}),
    "parks": frozenset({"park_flows"}),
    "labor": frozenset({"v_labor"}),
}
_KEY_SCOPES: dict[str, tuple[tuple[str, ...], str]] = {
    "projects": (("project_id",), "SELECT DISTINCT project_id FROM _keys"),
    "funding": (
        ("project_id", "year", "month"),
        "SELECT DISTINCT project_id, CAST(left(period, 4) AS INTEGER) AS year, CAST(right(period, 2) AS INTEGER) AS month FROM _keys",
    ),
    "parks": (("park", "year"), "SELECT DISTINCT park, CAST(left(period, 4) AS INTEGER) AS year FROM _keys"),
    "labor": (
        ("township", "year", "month"),
        "SELECT DISTINCT township, CAST(left(period, 4) AS INTEGER) AS year, CAST(right(period, 2) AS INTEGER) AS month FROM _keys",
    ),
}


def _match(a: str, b: str, cols) -> str:
    return " AND ".join(f"{a}.{schema.q(c)} IS NOT DISTINCT FROM {b}.{schema.q(c)}" for c in cols)


def _in_scope(alias: str, cols: tuple[str, ...], nulls: bool = False, table: str = "_scope") -> str:
    """A fact (alias) is in the batch's scope (``table``). A plain IN over the columns (DuckDB runs it as a hash
    semi-join, ~20x faster than a correlated EXISTS here); NULL-safe matching only when the scope holds a NULL."""
    if nulls:
        return f"EXISTS (SELECT 1 FROM {table} s WHERE {_match('s', alias, cols)})"
    left = ", ".join(f"{alias}.{schema.q(c)}" for c in cols)
    right = ", ".join(schema.q(c) for c in cols)
    return f"({left}) IN (SELECT {right} FROM {table})" if len(cols) > 1 else f"{left} IN (SELECT {right} FROM {table})"


class Change:
    """One batch's change to the derived tables, inside the writer's transaction: ``apply_load`` /
    ``apply_rollback`` update the current state (the views read it at once), ``refresh`` the facts and
    rollups."""

    def __init__(self, con, ds: Dataset, batch_id: int):
        self.con, self.ds, self.batch_id = con, ds, batch_id
        self.metrics = tuple(c for c, deps in DEPENDS.items() if ds.name in deps)
        self.carry_year = self._last_year() if ds.name in ("projects", "funding") else None
        key = ", ".join(schema.q(k) for k in ds.key)
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE _keys AS SELECT DISTINCT {key} FROM {schema.table_name(ds)} "
            "WHERE _batch_id = ?",
            [batch_id],
        )
        nulls = " OR ".join(schema.q(k) + " IS NULL" for k in ds.key)
        self._key_nulls = bool(con.execute(f"SELECT count(*) FROM _keys WHERE {nulls}").fetchone()[0])
        if ds.name == "returnees":  # the townships of the rows about to be replaced (they may leave the options)
            con.execute(
                "CREATE OR REPLACE TEMP TABLE _old_towns AS SELECT DISTINCT township FROM cur_returnees c "
                f"WHERE {self._key_match('c')} AND township IS NOT NULL"
            )
        # the person rollups (etl.people_rollups) record the current rows of the batch's keys before they change
        self.people = None
        if ds.name in people_rollups.DATASETS:
            self.people = people_rollups.Change(con, ds.name, self._key_match("c"))
        self.scope_cols: tuple[str, ...] = ()
        if self.metrics:
            if ds.name in _KEY_SCOPES:
                self.scope_cols, sql = _KEY_SCOPES[ds.name]
                con.execute("CREATE OR REPLACE TEMP TABLE _scope AS " + sql)
            else:
                self.scope_cols = ("year",)
                con.execute("CREATE OR REPLACE TEMP TABLE _scope (year INTEGER)")
                self._add_years()  # the years the rows about to be replaced give facts in

    # ------------------------------------------------------------------ current state

    def _key_match(self, alias: str) -> str:
        """A row (alias) has a key of the batch: a plain IN (a hash semi-join) unless a key holds a NULL."""
        return _in_scope(alias, tuple(self.ds.key), self._key_nulls, "_keys")

    def apply_load(self) -> None:
        """The batch's rows replace the current rows of its keys."""
        t, cur = schema.table_name(self.ds), schema.cur_table(self.ds)
        cols = ", ".join(schema.q(n) for n, _ in self.ds.stored_columns())
        self.con.execute(f"DELETE FROM {cur} c WHERE {self._key_match('c')}")
        self.con.execute(f"INSERT INTO {cur} SELECT {cols}, _batch_id FROM {t} WHERE _batch_id = ?", [self.batch_id])
        if self.scope_cols == ("year",):
            self._add_years()

    def apply_rollback(self) -> None:
        """The batch (already marked rolled back) leaves the current state; for its keys the latest row of an
        earlier batch still loaded comes back."""
        t, cur = schema.table_name(self.ds), schema.cur_table(self.ds)
        cols = ", ".join("d." + schema.q(n) for n, _ in self.ds.stored_columns())
        key = ", ".join("d." + schema.q(k) for k in self.ds.key)
        self.con.execute(f"DELETE FROM {cur} WHERE batch_id = ?", [self.batch_id])
        self.con.execute(
            f"INSERT INTO {cur} SELECT {cols}, d._batch_id FROM {t} d "
            "JOIN batches b ON b.batch_id = d._batch_id AND b.status = 'loaded' "
            f"WHERE d._batch_id < ? AND {self._key_match('d')} "
            f"QUALIFY row_number() OVER (PARTITION BY {key} ORDER BY d._batch_id DESC) = 1",
            [self.batch_id],
        )
        if self.scope_cols == ("year",):
            self._add_years()

    def _add_years(self) -> None:
        """Add to _scope the years the current rows of the batch's keys give facts of its metrics in."""
        rows = (
            "("
            + schema.view_body(self.ds, f"(SELECT * FROM {schema.cur_table(self.ds)} c WHERE {self._key_match('c')})")
            + ")"
        )
        view = re.compile(r"\bv_" + self.ds.name + r"\b")
        parts = [
            "SELECT f.year FROM ("
            + view.sub(rows, metric_catalogue.BY_CODE[m].facts)
            + f") AS f({schema.FACT_COLUMNS})"
            for m in self.metrics
        ]
        self.con.execute("INSERT INTO _scope SELECT DISTINCT year FROM (" + " UNION ALL ".join(parts) + ")")

    def _last_year(self):
        return self.con.execute(_LAST_YEAR_SQL).fetchone()[0]

    # ------------------------------------------------------------------ facts and rollups

    def refresh(self) -> None:
        """Recompute the facts (and rollups) the batch can have changed; the current state is already updated."""
        if self.ds.name == "returnees":  # the old rows' townships still named stay, the new rows' are added
            self.con.execute(
                "DELETE FROM returnee_townships WHERE township IN (SELECT township FROM _old_towns) "
                "AND township NOT IN (SELECT township FROM cur_returnees WHERE township IN "
                "(SELECT township FROM _old_towns))"
            )
            self.con.execute(
                "INSERT INTO returnee_townships SELECT DISTINCT township FROM cur_returnees c "
                f"WHERE {self._key_match('c')} AND township IS NOT NULL "
                "AND township NOT IN (SELECT township FROM returnee_townships)"
            )
        if self.people is not None:
            self.people.apply()
        if not self.metrics and self.carry_year is None:
            return
        con = self.con
        whole: tuple[str, ...] = ()
        if self.carry_year is not None and self._last_year() != self.carry_year:
            whole = CARRY  # carry-over moves: the carry-over metrics are recomputed whole
        scoped = tuple(m for m in self.metrics if m not in whole)
        con.execute("CREATE OR REPLACE TEMP TABLE _touched (metric VARCHAR, year INTEGER, month INTEGER)")
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _dims (metric VARCHAR, year INTEGER, dim VARCHAR, v VARCHAR, n BIGINT)"
        )
        appended = 0
        for metrics, where in ((whole, ()), (scoped, self.scope_cols)):
            if not metrics:
                continue
            # literal metric (and year/month) bounds first: DuckDB skips the row groups outside them (zone maps)
            cond = "u.metric IN (" + ", ".join(schema._literal(m) for m in metrics) + ")"
            inside, prefilter = "", None
            if where:
                nulls = self._scope_has_null()
                cond += self._bounds("u") + " AND " + _in_scope("u", where, nulls)
                inside = _in_scope("f", where, nulls)
                if self.ds.name in _KEY_RELATIONS:
                    prefilter = (_KEY_RELATIONS[self.ds.name], _in_scope("r", where, nulls))
            touched = f"INSERT INTO _touched SELECT DISTINCT metric, year, month FROM unit_facts u WHERE {cond}"
            dims = schema.FACT_DIMS_SELECT.format(table="unit_facts u", also="AND " + cond)
            con.execute(touched)
            con.execute(f"INSERT INTO _dims SELECT metric, year, dim, v, -n FROM ({dims})")
            con.execute(f"DELETE FROM unit_facts u WHERE {cond}")
            select = schema.unit_facts_select(
                metrics, inside, "(SELECT coalesce(max(fact_id), 0) FROM unit_facts)", prefilter
            )
            appended += con.execute(
                f"INSERT INTO unit_facts SELECT * FROM ({select}) ORDER BY {schema.FACTS_ORDER}"
            ).fetchone()[0]
            con.execute(touched)
            con.execute(f"INSERT INTO _dims {dims}")
        self._rollups()
        self._order(appended)

    def _scope_has_null(self) -> bool:
        nulls = " OR ".join(schema.q(c) + " IS NULL" for c in self.scope_cols)
        return bool(self.con.execute(f"SELECT count(*) FROM _scope WHERE {nulls}").fetchone()[0])

    def _bounds(self, alias: str) -> str:
        """`` AND <alias>.year BETWEEN lo AND hi`` (and month) when the scope names years (months), none NULL."""
        out = ""
        for col in ("year", "month"):
            if col not in self.scope_cols:
                continue
            lo, hi, nulls = self.con.execute(
                f"SELECT min({col}), max({col}), count(*) - count({col}) FROM _scope"
            ).fetchone()
            if lo is not None and not nulls:
                out += f" AND {alias}.{col} BETWEEN {int(lo)} AND {int(hi)}"
        return out

    def _order(self, appended: int) -> None:
        """Rewrite unit_facts in (metric, year, unit) order once enough was appended out of order."""
        row = self.con.execute("SELECT value FROM meta WHERE key = 'unit_facts.appended'").fetchone()
        total = (int(row[0]) if row else 0) + appended
        size = self.con.execute("SELECT count(*) FROM unit_facts").fetchone()[0]
        if total > RESORT_SHARE * size:
            self.con.execute(
                f"CREATE OR REPLACE TABLE unit_facts AS SELECT * FROM unit_facts ORDER BY {schema.FACTS_ORDER}"
            )
            total = 0
        self.con.execute("INSERT OR REPLACE INTO meta VALUES ('unit_facts.appended', ?)", [str(total)])

    def _rollups(self) -> None:
        """Bring the rollups up to date with what the refresh touched: unit_sums recomputed per touched (metric,
        year, month); fact_dims by the counts of the deleted and inserted facts (_dims)."""
        con = self.con
        row = con.execute(
            "SELECT list(DISTINCT metric), min(year), max(year), count(*) - count(year), min(month), max(month), "
            "count(*) - count(month) FROM _touched"
        ).fetchone()
        metrics, y0, y1, ynull, m0, m1, mnull = row
        if not metrics:
            return
        bound = "{a}.metric IN (" + ", ".join(schema._literal(m) for m in metrics) + ")"
        if y0 is not None and not ynull:
            bound += f" AND {{a}}.year BETWEEN {int(y0)} AND {int(y1)}"
        month_bound = bound + (
            f" AND {{a}}.month BETWEEN {int(m0)} AND {int(m1)}" if m0 is not None and not mnull else ""
        )
        con.execute("CREATE OR REPLACE TEMP TABLE _hit AS SELECT DISTINCT metric, year, month FROM _touched")
        hit = month_bound + " AND " + _in_scope("{a}", ("metric", "year", "month"), bool(ynull or mnull), "_hit")
        con.execute("DELETE FROM unit_sums WHERE " + hit.format(a="unit_sums"))
        con.execute(
            "INSERT INTO unit_sums " + schema.UNIT_SUMS_SELECT.format(where="WHERE " + hit.format(a="unit_facts"))
        )
        # fact_dims: the facts' counts per value, less the deleted facts', plus the inserted facts'
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _delta AS SELECT metric, year, dim, v, sum(n) AS n FROM _dims "
            "GROUP BY ALL HAVING sum(n) <> 0"
        )
        same = _match("d", "fact_dims", ("metric", "year", "dim", "v"))
        con.execute(f"UPDATE fact_dims SET n = fact_dims.n + d.n FROM _delta d WHERE {same}")
        con.execute(
            f"INSERT INTO fact_dims SELECT * FROM _delta d WHERE NOT EXISTS (SELECT 1 FROM fact_dims WHERE {same})"
        )
        con.execute("DELETE FROM fact_dims WHERE n <= 0")


def _list(codes: tuple[str, ...]) -> str:
    return "[" + ", ".join(schema._literal(c) for c in codes) + "]"


def after_load(con, ds: Dataset, batch_id: int) -> None:
    """Keep the derived tables after the rows of batch ``batch_id`` of ``ds`` were inserted."""
    change = Change(con, ds, batch_id)
    change.apply_load()
    change.refresh()
