"""Small rollups of the person datasets (returnees, training, ventures) the people pages read instead of the
10M-row current state; kept by etl.maintain inside every load and rollback transaction, built by ``init``.

Each rollup is a GROUP BY of a dataset's current rows (``cur_<name>``) at month grain: every figure of the pages is
a count (or sum) over months bounded by the first day of a month and the last day of the as-of month, so summing
a rollup's months gives exactly what counting the rows gives. Two kinds:

- kept by counts (:data:`ROLLUPS`): a load or rollback adds the groups of the batch's keys' new current rows and
  subtracts those of the rows they replaced (the same GROUP BY over the two, weighted +1 / −1); a group whose
  count falls to 0 is deleted. When the change is large (a first load), the rollup is rebuilt whole, in order.
- joined across datasets (:data:`JOINED`): rebuilt whole when either dataset changes.

Grain and use of each: see the comments at their definitions. No person row leaves them: they hold counts.
"""

from __future__ import annotations

from dataclasses import dataclass

from etl.contracts import RETURNEE_PLACED

REBUILD_SHARE = 0.25  # a change touching more rows than this share of a rollup rebuilds it whole (in order)
WAITING = "待业"  # contracts.RETURNEE_STATUSES: waiting for work
_MONTH = "CAST(date_trunc('month', {c}) AS DATE)"
_PLACED = ", ".join("'" + s + "'" for s in RETURNEE_PLACED)  # SQL list of the contract's constants, never input


@dataclass(frozen=True)
class Rollup:
    """A rollup kept by counts: ``select`` is a GROUP BY over ``{src}`` (rows of the dataset's current state with a
    weight column ``_w``: 1, or ±1 in a change); ``dims`` its group columns, ``count`` the measure whose 0 means an
    empty group; ``order`` the storage order (the pages' filters: the zone maps skip the other row groups)."""

    name: str
    dataset: str
    select: str
    dims: tuple[str, ...]
    count: str
    order: str

    def sql(self, src: str) -> str:
        return self.select.format(src=src)


ROLLUPS: tuple[Rollup, ...] = (
    # one row per return month, township and status: returnees (人). The township × status breakdown, the cards and
    # the monthly trend, whole province or chosen townships.
    Rollup(
        "returnee_status",
        "returnees",
        "SELECT " + _MONTH.format(c="return_date") + " AS month, township, status, sum(_w) AS n FROM {src} "
        "GROUP BY ALL",
        ("month", "township", "status"),
        "n",
        "month, township, status",
    ),
    # the whole province (no township): one row per part and its groups: 'intent' (return month, intent), 'age'
    # (return month, birth year, gender = the ID's, else the file's), 'skill' (return month, skill, intent; only
    # the returnees waiting for work, 待业). n = returnees (人).
    Rollup(
        "returnee_province",
        "returnees",
        "SELECT part, month, intent, skill, gender, birth_year, sum(_w) AS n FROM (SELECT "
        + _MONTH.format(c="return_date")
        + " AS month, unnest(CASE WHEN status = '"
        + WAITING
        + "' THEN ['intent', 'age', 'skill'] ELSE ['intent', 'age'] END) AS part, "
        "CASE WHEN part <> 'age' THEN intent END AS intent, CASE WHEN part = 'skill' THEN skill END AS skill, "
        "CASE WHEN part = 'age' THEN coalesce(id_gender, gender) END AS gender, "
        "CASE WHEN part = 'age' THEN birth_year END AS birth_year, _w FROM {src}) GROUP BY ALL",
        ("part", "month", "intent", "skill", "gender", "birth_year"),
        "n",
        "part, month",
    ),
    # chosen townships: one row per township, return month, intent, skill, gender, birth year and waiting (status
    # 待业): returnees (人). Stored by township: a township filter reads only its row groups.
    Rollup(
        "returnee_cells",
        "returnees",
        "SELECT township, "
        + _MONTH.format(c="return_date")
        + " AS month, intent, skill, coalesce(id_gender, gender) AS gender, birth_year, coalesce(status = '"
        + WAITING
        + "', false) AS waiting, sum(_w) AS n FROM {src} GROUP BY ALL",
        ("township", "month", "intent", "skill", "gender", "birth_year", "waiting"),
        "n",
        "township, month",
    ),
)
# The training rows' columns the training page reads, at month grain: a row's certified and employed flags
# matter only once its class has ended (an end date), and an employment date not after the end month is the same as
# none (the trainee counts as employed once the class has ended): both are folded so the rollups stay small.
_TRAINING_COLS = (
    _MONTH.format(c="start_date") + " AS start_month, " + _MONTH.format(c="end_date") + " AS end_month, "
    "CASE WHEN end_date IS NOT NULL THEN coalesce(certified, false) END AS certified, "
    "CASE WHEN end_date IS NOT NULL THEN coalesce(employed_after, false) END AS employed, "
    "CASE WHEN end_date IS NOT NULL AND employed_after AND "
    + _MONTH.format(c="employed_date")
    + " > "
    + _MONTH.format(c="end_date")
    + " THEN "
    + _MONTH.format(c="employed_date")
    + " END AS employed_month"
)
_TRAINING_SUMS = "sum(_w) AS n, sum(_w * CAST(subsidy AS DECIMAL(38, 6))) AS subsidy"
_TRAINING_DIMS = ("start_month", "end_month", "certified", "employed", "employed_month")
ROLLUPS += (
    # the whole province (no township): one row per class start month, course, course type, provider, end month,
    # certified, employed and employment month (folded, see _TRAINING_COLS): n trainee rows, subsidy (元).
    Rollup(
        "training_province",
        "training",
        "SELECT course, course_type, provider, " + _TRAINING_COLS + ", " + _TRAINING_SUMS + " FROM {src} GROUP BY ALL",
        ("course", "course_type", "provider", *_TRAINING_DIMS),
        "n",
        "start_month",
    ),
    # the whole province by township: one row per start month, township, end month, certified, employed and
    # employment month: n, subsidy (元).
    Rollup(
        "training_towns",
        "training",
        "SELECT township, " + _TRAINING_COLS + ", " + _TRAINING_SUMS + " FROM {src} GROUP BY ALL",
        ("township", *_TRAINING_DIMS),
        "n",
        "start_month, township",
    ),
    # chosen townships: every dimension, stored by township (a township filter reads only its row groups).
    Rollup(
        "training_cells",
        "training",
        "SELECT township, course, course_type, provider, "
        + _TRAINING_COLS
        + ", "
        + _TRAINING_SUMS
        + " FROM {src} GROUP BY ALL",
        ("township", "course", "course_type", "provider", *_TRAINING_DIMS),
        "n",
        "township, start_month",
    ),
)
BY_NAME = {r.name: r for r in ROLLUPS}

# Joined across datasets, rebuilt whole when either changes: name → (datasets, SELECT, order).
JOINED: dict[str, tuple[frozenset[str], str, str]] = {
    # one row per township and month: returned = returnees with a return date in the month, returned_placed (of
    # them, status 县内就业/县外就业/自主创业); trained = returnees whose return and first training class (v_training,
    # the earliest start date of their person key) both lie by the month and the later of the two is in it,
    # trained_placed (of them, placed). Summed over the months up to an as-of month: the returnees by then and the
    # trained among them (board.metrics.training.trained_vs_untrained).
    "returnee_training": (
        frozenset({"returnees", "training"}),
        "WITH t AS (SELECT person_key, min(start_date) AS first_start FROM cur_training "
        "WHERE person_key IS NOT NULL AND start_date IS NOT NULL GROUP BY person_key), "
        "r AS (SELECT r.township, "
        + _MONTH.format(c="r.return_date")
        + " AS returned_month, CASE WHEN t.first_start IS NOT NULL THEN "
        + _MONTH.format(c="greatest(r.return_date, t.first_start)")
        + " END AS trained_month, coalesce(r.status IN ("
        + _PLACED
        + "), false) AS placed "
        "FROM cur_returnees r LEFT JOIN t ON t.person_key = r.person_key WHERE r.return_date IS NOT NULL) "
        "SELECT township, month, sum(returned) AS returned, sum(returned_placed) AS returned_placed, "
        "sum(trained) AS trained, sum(trained_placed) AS trained_placed FROM ("
        "SELECT township, returned_month AS month, 1 AS returned, CAST(placed AS INTEGER) AS returned_placed, "
        "0 AS trained, 0 AS trained_placed FROM r UNION ALL "
        "SELECT township, trained_month, 0, 0, 1, CAST(placed AS INTEGER) FROM r WHERE trained_month IS NOT NULL"
        ") GROUP BY ALL",
        "township, month",
    ),
    # one row per venture whose founder's person key is in the returnee registry: venture_id (the semi-join of
    # board.metrics.ventures, kept so a page does not join the 10M-row registry).
    "venture_returnees": (
        frozenset({"returnees", "ventures"}),
        "SELECT v.venture_id FROM cur_ventures v WHERE v.person_key IS NOT NULL "
        "AND v.person_key IN (SELECT person_key FROM cur_returnees)",
        "venture_id",
    ),
}


def _rebuild(r: Rollup) -> str:
    src = "(SELECT *, 1 AS _w FROM cur_" + r.dataset + ")"
    return f"CREATE OR REPLACE TABLE {r.name} AS SELECT * FROM ({r.sql(src)}) ORDER BY {r.order}"


def _rebuild_joined(name: str) -> str:
    _deps, select, order = JOINED[name]
    return f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM ({select}) ORDER BY {order}"


# init: every rollup from the current state (etl.schema.REBUILD_ROLLUPS runs these after the cur_ tables).
REBUILD: list[str] = [*(_rebuild(r) for r in ROLLUPS), *(_rebuild_joined(n) for n in JOINED)]
DATASETS = frozenset(r.dataset for r in ROLLUPS) | frozenset(d for deps, _s, _o in JOINED.values() for d in deps)


def _q(name: str) -> str:
    if not name.replace("_", "").isalnum() or not name.isascii():
        raise ValueError(name)
    return '"' + name + '"'


class Change:
    """One batch's change to the person rollups. Made before the current state changes (it records the current
    rows of the batch's keys, temp table ``_keys`` of etl.maintain), :meth:`apply` after."""

    def __init__(self, con, dataset: str, match: str):
        """``match``: the condition that a current row (alias ``c``) has a key of the batch (etl.maintain)."""
        self.con, self.dataset, self.match = con, dataset, match
        self.counted = tuple(r for r in ROLLUPS if r.dataset == dataset)
        self.joined = tuple(n for n, (deps, _s, _o) in JOINED.items() if dataset in deps)
        if self.counted:
            con.execute(f"CREATE OR REPLACE TEMP TABLE _people_old AS {self._rows()}")

    def _rows(self) -> str:
        return f"SELECT c.* FROM cur_{self.dataset} c WHERE {self.match}"

    def apply(self) -> None:
        con = self.con
        if self.counted:
            con.execute(f"CREATE OR REPLACE TEMP TABLE _people_new AS {self._rows()}")
            changed = con.execute("SELECT (SELECT count(*) FROM _people_old) + (SELECT count(*) FROM _people_new)")
            rows = changed.fetchone()[0]
            src = "(SELECT *, -1 AS _w FROM _people_old UNION ALL BY NAME SELECT *, 1 AS _w FROM _people_new)"
            for r in self.counted:
                size = con.execute(f"SELECT count(*) FROM {r.name}").fetchone()[0]
                if rows > REBUILD_SHARE * size:
                    con.execute(_rebuild(r))
                else:
                    self._merge(r, src)
        for name in self.joined:
            con.execute(_rebuild_joined(name))

    def _merge(self, r: Rollup, src: str) -> None:
        """Add the change's groups (+ new rows, − replaced rows) to the rollup; drop the groups left empty."""
        con = self.con
        con.execute(f"CREATE OR REPLACE TEMP TABLE _people_delta AS SELECT * FROM ({r.sql(src)})")
        names = [d[0] for d in con.execute("SELECT * FROM _people_delta LIMIT 0").description if d[0] not in r.dims]
        same = " AND ".join(f"d.{_q(c)} IS NOT DISTINCT FROM {r.name}.{_q(c)}" for c in r.dims)
        sets = ", ".join(f"{_q(m)} = {r.name}.{_q(m)} + d.{_q(m)}" for m in names)
        con.execute(f"UPDATE {r.name} SET {sets} FROM _people_delta d WHERE {same}")
        con.execute(
            f"INSERT INTO {r.name} SELECT * FROM _people_delta d WHERE NOT EXISTS (SELECT 1 FROM {r.name} WHERE {same})"
        )
        con.execute(f"DELETE FROM {r.name} WHERE {_q(r.count)} = 0")
