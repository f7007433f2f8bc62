"""Overview: headline cards against targets and 序时进度, pace charts, township ranking, needs attention."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from board import charts, db, fmt, meta, metrics, nav
from board.export import download_buttons
from board.filters import current
from board.i18n import metric_name, status_name, t


def empty_screen() -> None:
    st.title(t("empty.title"))
    st.write(t("empty.intro"))
    st.subheader(t("empty.demo_heading"))
    st.write(t("empty.demo_make"))
    st.code("make run", language="bash")
    st.write(t("empty.demo_cli"))
    st.code("python -m etl init --demo", language="bash")
    st.subheader(t("empty.upload_heading"))
    if not nav.link(nav.UPLOAD_PAGE, t("empty.upload_link")):
        st.write(t("empty.upload_cli"))
        st.code("python -m etl load <file.xlsx|file.csv>", language="bash")


def card(row: pd.Series) -> None:
    kind = metrics.KIND[row["metric"]]
    with st.container(border=True):
        has_actual = not pd.isna(row["actual"])
        st.metric(
            metric_name(row["metric"]),
            fmt.value(row["actual"], kind, compact=True) if has_actual else fmt.DASH,
            delta=None if pd.isna(row["yoy"]) else fmt.pct(row["yoy"], signed=True),
            delta_description=t("card.yoy"),
        )
        if pd.isna(row["rate"]):
            st.caption(t(f"note.{row['note'] or 'no_target'}"))
            return
        st.progress(min(float(row["rate"]), 1.0))
        st.caption(t("card.target", target=fmt.value(row["target"], kind), rate=fmt.pct(row["rate"])))
        st.markdown(t("verdict.ahead" if row["ahead"] else "verdict.behind", pace=fmt.pct(row["pace"])))


def progress_table(df: pd.DataFrame, unit_col: str | None = None) -> pd.DataFrame:
    """Display/export frame with catalog labels; numbers as stored (unit column says which)."""
    out = pd.DataFrame()
    if unit_col:
        out[t("col.unit")] = df[unit_col]
    out[t("col.metric")] = [metric_name(m) for m in df["metric"]]
    out[t("col.actual")] = df["actual"]
    out[t("col.target")] = df["target"]
    out[t("col.measure")] = [t(f"unit.{metrics.KIND[m]}") for m in df["metric"]]
    out[t("col.rate")] = df["rate"]
    out[t("col.pace")] = df["pace"]
    if "prior" in df:
        out[t("col.prior")] = df["prior"]
        out[t("col.yoy")] = df["yoy"]
    return out


def show_table(df: pd.DataFrame, name: str, key: str) -> None:
    ratios = (t("col.rate"), t("col.pace"), t("col.yoy"))
    pct = {c: st.column_config.NumberColumn(format="percent") for c in ratios if c in df}
    st.dataframe(df, hide_index=True, column_config=pct)
    download_buttons(df, name, key)


def scope_text(sel) -> str:
    parts = [", ".join(v) for v in (sel.townships, sel.industries, sel.parks) if v]
    return " · ".join(parts) if parts else t("scope.all")


nav.require_frame()
if not db.has_data():
    empty_screen()
    st.stop()

sel = current()
options = meta.options()
st.title(t("overview.title"))
st.caption(t("overview.subtitle", period=fmt.period(sel.year, sel.month), scope=scope_text(sel)))
if sel.industries:
    st.info(t("note.industry_banner"), icon=":material/info:")

cards = metrics.progress(sel)
for start in range(0, len(cards), 5):
    for col, (_, row) in zip(st.columns(5), cards.iloc[start : start + 5].iterrows(), strict=False):
        with col:
            card(row)
with st.expander(t("overview.cards_table")):
    show_table(progress_table(cards), f"overview_{sel.year}_{sel.month:02d}", "ov_cards_dl")

st.subheader(t("overview.pace_heading"))
for col, metric in zip(st.columns(2), ("funds_in_place", "contract_investment"), strict=True):
    row = cards.set_index("metric").loc[metric]
    with col:
        fig = charts.cumulative_vs_pace(
            metrics.monthly(sel, metric), row["target"] if pd.notna(row["target"]) else None, "money",
            t("chart.cumulative_title", metric=metric_name(metric)),
        )  # fmt: skip
        st.plotly_chart(fig, config={"displayModeBar": False}, theme=None, key=f"ov_pace_{metric}")

st.subheader(t("overview.ranking_heading"))
metric_labels = {m: metric_name(m) for m in metrics.CARD_METRICS}
rank_metric = st.selectbox(
    t("overview.ranking_metric"), metrics.CARD_METRICS, format_func=metric_labels.get, key="ov_rank_metric"
)
ranking = metrics.progress(sel, (rank_metric,), by="township", units=options.townships)
rated = ranking.dropna(subset=["rate"]).sort_values("rate", ascending=False).rename(columns={"township": "unit"})
if rated.empty:
    st.info(t("overview.ranking_none"), icon=":material/info:")
else:
    n = 5 if len(rated) > 10 else len(rated)
    left, right = st.columns(2)
    with left:
        st.plotly_chart(
            charts.ranking_bars(rated.head(n), rated["pace"].iloc[0], t("overview.top", n=n)), theme=None, key="ov_top"
        )
    if len(rated) > 10:
        with right:
            bottom = rated.tail(n)
            st.plotly_chart(
                charts.ranking_bars(bottom, bottom["pace"].iloc[0], t("overview.bottom", n=n)),
                theme=None,
                key="ov_bottom",
            )
with st.expander(t("overview.ranking_table")):
    show_table(progress_table(ranking, "township"), f"ranking_{rank_metric}_{sel.year}", "ov_rank_dl")

st.subheader(t("overview.attention_heading"))
settings = meta.settings()
behind = metrics.behind_pace(sel, options)
stalled = metrics.stalled_projects(
    sel, settings["settings.stalled_signed_days"], settings["settings.stalled_no_funds_months"]
)
left, right = st.columns(2)
with left, st.container(border=True):
    st.metric(t("attention.behind"), t("fmt.units", v=behind["unit"].nunique()))
    st.caption(t("attention.behind_help", pace=fmt.pct(metrics.pace(sel.month))))
    nav.link(nav.BEHIND_PAGE, t("attention.behind_link"))
    with st.expander(t("attention.behind_list")):
        show_table(progress_table(behind, "unit"), f"behind_{sel.year}_{sel.month:02d}", "ov_behind_dl")
with right, st.container(border=True):
    st.metric(t("attention.stalled"), fmt.count(len(stalled), "projects"))
    st.caption(
        t(
            "attention.stalled_help",
            days=settings["settings.stalled_signed_days"],
            months=settings["settings.stalled_no_funds_months"],
        )
    )
    nav.link(nav.STALLED_PAGE, t("attention.stalled_link"))
    with st.expander(t("attention.stalled_list")):
        table = pd.DataFrame(
            {
                t("col.project_id"): stalled["project_id"],
                t("col.project"): stalled["name"],
                t("col.township"): stalled["township"],
                t("col.park"): stalled["park"],
                t("col.industry"): stalled["industry"],
                t("col.status"): [status_name(s) for s in stalled["status"]],
                t("col.total_investment"): stalled["total_investment"],
                t("col.signed_date"): stalled["signed_date"],
                t("col.started_date"): stalled["started_date"],
                t("col.reason"): [t(f"stalled.{r}") for r in stalled["reason"]],
            }
        )
        show_table(table, f"stalled_{sel.year}_{sel.month:02d}", "ov_stalled_dl")
