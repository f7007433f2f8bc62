"""Investment projects: the stalled list (the seeds' 重签约轻落地), as of the end of the as-of month."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from board import db
from board.selection import Selection

# A township or park filter keeps the projects that answer to a selected unit (v_project_units, the same
# rule as the facts); an industry filter keeps projects of the selected industries.
_STALLED_SQL = """
WITH p AS (SELECT ?::DATE AS as_of_day, ?::INTEGER AS days, ?::INTEGER AS months, ?::VARCHAR[] AS towns,
                  ?::VARCHAR[] AS inds, ?::VARCHAR[] AS parks, ?::VARCHAR AS st_stalled, ?::VARCHAR AS st_signed,
                  ?::VARCHAR AS st_started),
w AS (SELECT strftime(as_of_day - to_months(months - 1), '%Y-%m') AS first_period,
             strftime(as_of_day, '%Y-%m') AS last_period,
             date_trunc('month', as_of_day - to_months(months - 1))::DATE AS first_day FROM p),
funded AS (SELECT DISTINCT f.project_id FROM v_funding f, w
           WHERE f.funds_in_place > 0 AND f.period BETWEEN w.first_period AND w.last_period)
SELECT pr.project_id, pr.name, pr.township, pr.park, pr.industry, pr.responsible_unit, pr.status,
       pr.total_investment, pr.signed_date, pr.started_date,
       CASE WHEN pr.status = p.st_stalled THEN 'status'
            WHEN pr.status = p.st_signed THEN 'not_started' ELSE 'no_funds' END AS reason
FROM v_projects pr CROSS JOIN p CROSS JOIN w
WHERE (len(p.towns) = 0 OR EXISTS (SELECT 1 FROM v_project_units u
                                   WHERE u.project_id = pr.project_id AND list_contains(p.towns, u.unit)))
  AND (len(p.parks) = 0 OR EXISTS (SELECT 1 FROM v_project_units u
                                   WHERE u.project_id = pr.project_id AND list_contains(p.parks, u.unit)))
  AND (len(p.inds) = 0 OR list_contains(p.inds, pr.industry))
  AND (pr.status = p.st_stalled
       OR (pr.status = p.st_signed AND pr.started_date IS NULL AND pr.signed_date < p.as_of_day - to_days(p.days))
       OR (pr.status = p.st_started AND pr.started_date < w.first_day
           AND pr.project_id NOT IN (SELECT project_id FROM funded)))
ORDER BY pr.township, pr.project_id"""


def as_of_date(sel: Selection) -> dt.date:
    """The last day of the as-of month."""
    nxt = dt.date(sel.year + sel.month // 12, sel.month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


@db.cached
def stalled_projects(sel: Selection, signed_days: int, no_funds_months: int) -> pd.DataFrame:
    """Stalled projects at the end of the as-of month (the domain's 三未 rules), filters applied.

    Grain: one row per project. Stalled = status 停滞; or status 签约, not started, signed more than
    ``signed_days`` days before; or status 开工, started before the window and no funds in place in the
    last ``no_funds_months`` months (the as-of month included). ``reason``: status | not_started |
    no_funds. total_investment in 万元.
    """
    params = [as_of_date(sel), signed_days, no_funds_months, list(sel.townships), list(sel.industries)]
    params += [list(sel.parks), "停滞", "签约", "开工"]
    return db.query(_STALLED_SQL, params)
