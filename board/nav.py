"""Page registry and navigation: each page file, its section and title; our own menu; placeholders for the rest."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from board.i18n import t

if TYPE_CHECKING:
    from streamlit.navigation.page import StreamlitPage

ROOT = Path(__file__).resolve().parents[1]
# Navigation sections in display order (catalog keys nav.<section>).
SECTIONS: tuple[str, ...] = ("overview", "investment", "parks", "employment", "assessment", "data")
# Served by the dashboard itself, never fetched from the internet (a :material/...: page icon would make the
# browser fetch the favicon from fonts.gstatic.com).
FAVICON = ROOT / "board" / "assets" / "favicon.svg"


@dataclass(frozen=True)
class PageSpec:
    path: str  # relative to the repository root
    section: str
    title_key: str
    icon: str
    url_path: str
    params: tuple[str, ...] = ()  # URL parameters the page owns (kept in the URL beside the shared filters)
    role: str = "viewer"  # the least role that may open the page (etl.accounts.ROLES; checked by require_frame)
    scoped: bool = True  # the page honours a township-restricted account's scope (else it refuses such accounts)


# Later issues add their pages here; a page whose file does not exist yet is left out of the menu,
# links to it are not drawn, and its URL shows the placeholder page.
PAGES: tuple[PageSpec, ...] = (
    PageSpec("pages/overview.py", "overview", "page.overview", ":material/dashboard:", "overview", ("rank",)),
    PageSpec("pages/targets.py", "investment", "page.targets", ":material/flag:", "targets", ("metric", "period")),
    PageSpec("pages/pipeline.py", "investment", "page.pipeline", ":material/filter_alt:", "pipeline", ("by",)),
    PageSpec(
        "pages/stalled.py", "investment", "page.stalled", ":material/report:", "stalled", ("days", "months", "rule")
    ),
    PageSpec("pages/key_projects.py", "investment", "page.key_projects", ":material/star:", "key-projects"),
    PageSpec(
        "pages/projects.py", "investment", "page.projects", ":material/table_view:", "projects", ("q", "status", "tier")
    ),
    PageSpec("pages/project.py", "investment", "page.project", ":material/description:", "project", ("id", "q")),
    # Park figures are reported per park, not per township: the park pages are for county-wide accounts.
    PageSpec(
        "pages/parks.py", "parks", "page.parks", ":material/factory:", "parks", ("focus", "measure"), scoped=False
    ),
    PageSpec(
        "pages/park_grades.py",
        "parks",
        "page.park_grades",
        ":material/workspace_premium:",
        "park-grades",
        ("cmp",),
        scoped=False,
    ),  # fmt: skip
    PageSpec("pages/returnees.py", "employment", "page.returnees", ":material/home_work:", "returnees", ("cohort",)),
    PageSpec("pages/training.py", "employment", "page.training", ":material/school:", "training", ("breakdown",)),
    PageSpec("pages/ventures.py", "employment", "page.ventures", ":material/storefront:", "ventures"),
    PageSpec("pages/labour.py", "employment", "page.labour", ":material/work:", "labour", ("series",)),
    PageSpec(
        "pages/investment_jobs.py",
        "employment",
        "page.investment_jobs",
        ":material/trending_up:",
        "investment-jobs",
        ("basis",),
    ),
    # Points rank people and units across the county: for county-wide accounts.
    PageSpec(
        "pages/assessment.py",
        "assessment",
        "page.assessment",
        ":material/leaderboard:",
        "assessment",
        ("view", "rules", "person"),
        scoped=False,
    ),  # fmt: skip
    PageSpec("pages/upload.py", "data", "page.upload", ":material/upload_file:", "upload", role="uploader"),
    PageSpec(
        "pages/batches.py", "data", "page.batches", ":material/inventory_2:", "batches", ("batch",), role="uploader"
    ),
    PageSpec("pages/audit.py", "data", "page.audit", ":material/policy:", "audit", ("who", "act"), role="admin"),
)
HOME = PAGES[0]  # the overview answers at "/" (and at /overview)
MISSING_PAGE = "pages/missing.py"  # "does not exist or not available yet", for any URL without a page file
STALLED_PAGE = "pages/stalled.py"  # lists stalled projects
BEHIND_PAGE = "pages/targets.py"  # every unit against its targets and 序时
PROJECT_PAGE = "pages/project.py"  # one project: ?id=…
UPLOAD_PAGE = "pages/upload.py"


def page_params() -> tuple[str, ...]:
    """Every URL parameter a registered page owns (the frame keeps them; a page validates its own)."""
    return tuple(dict.fromkeys(p for spec in PAGES for p in spec.params))


def spec_of(path: str) -> PageSpec | None:
    """The registry entry of a page file (absolute or relative to the repository), or None."""
    try:
        rel = Path(path).resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return None
    return next((p for p in PAGES if p.path == rel), None)


def page_spec(page: StreamlitPage) -> PageSpec | None:
    """The registry entry of the page st.navigation returned (None for the placeholder or an unknown URL)."""
    script_path = getattr(page, "_page", None)  # the file st.Page was given
    return spec_of(str(script_path)) if isinstance(script_path, Path) else None


def permitted(spec: PageSpec) -> bool:
    """Whether the current user may open the page: its role, and its scope for a township-restricted account."""
    from board import access

    return access.allowed(spec.role) and (spec.scoped or not access.townships())


def exists(path: str) -> bool:
    return (ROOT / path).is_file()


def existing() -> list[PageSpec]:
    """The registered pages whose file exists, in menu order."""
    return [p for p in PAGES if exists(p.path)]


def script(path: str) -> str:
    """Absolute path of a page file (pages are registered by absolute path, whatever the working dir)."""
    return str(ROOT / path)


def link(path: str, label: str, params: dict[str, str] | None = None) -> bool:
    """Draw a page link when the page exists and the user may open it (with the page's own URL ``params``); return
    whether it was drawn.
    The shared filters travel in the session: the target page shows the same year, month and units."""
    spec = spec_of(script(path))
    if not exists(path) or (spec is not None and not permitted(spec)):  # no link to a page that would refuse
        return False
    import streamlit as st

    st.page_link(script(path), label=label, icon=":material/arrow_forward:", query_params=params or None)
    return True


def open_project(project_id: str) -> None:
    """Go to one project's detail page (a click on a project in any list)."""
    import streamlit as st

    st.switch_page(script(PROJECT_PAGE), query_params={"id": project_id})


def requested_path() -> str:
    """The page name in the browser's URL: "" at the app root, "batches" for /batches (from st.context.url)."""
    import streamlit as st

    path = unquote(urlsplit(st.context.url or "").path).strip("/")
    base = str(st.get_option("server.baseUrlPath") or "").strip("/")
    if base and (path == base or path.startswith(base + "/")):
        path = path[len(base) :].strip("/")
    return path.rsplit("/", 1)[-1].strip()  # st.Page strips url_path too


def navigation() -> tuple[StreamlitPage, tuple[str, ...]]:
    """Register every URL with st.navigation (Streamlit's own menu hidden: ``menu`` draws ours); return the page
    to run and the URL parameters it owns.

    The overview is the home page at "/" and also answers at /overview. A registered page whose file does not
    exist yet, and any other URL the browser asked for, get the placeholder page: Streamlit would otherwise show
    its English "Page not found" dialog and run the home page. No page carries an icon: the browser turns a
    page's :material/...: icon into a favicon fetched from the internet.
    """
    import streamlit as st

    def page(path: str, url_path: str, title_key: str, default: bool = False) -> StreamlitPage:
        return st.Page(script(path), title=t(title_key), url_path=url_path, default=default)

    specs = [(page(HOME.path, "", HOME.title_key, default=True), HOME)]
    specs += [(page(p.path if exists(p.path) else MISSING_PAGE, p.url_path, p.title_key), p) for p in PAGES]
    asked = requested_path()
    if asked and asked not in {p.url_path for p in PAGES}:
        specs.append((page(MISSING_PAGE, asked, "missing.title"), None))
    current = st.navigation([p for p, _ in specs], position="hidden")
    # matched by identity: after st.navigation the default page's url_path is ""
    owned = next((spec.params for p, spec in specs if p is current and spec is not None and exists(spec.path)), ())
    return current, owned


def menu() -> None:
    """Our page menu in the sidebar: the existing pages by section, in the current language."""
    import streamlit as st

    with st.sidebar:
        for section in SECTIONS:
            specs = [p for p in existing() if p.section == section and permitted(p)]
            if specs:
                st.caption(t(f"nav.{section}"))
            for spec in specs:  # by path: the first page registered for the overview file is the home page
                st.page_link(script(spec.path), label=t(spec.title_key), icon=spec.icon)
        st.divider()


def require_frame() -> None:
    """First line of every page: make sure the entry script (navigation, filters, freshness) ran, and that the
    user may open this page (its PageSpec role and scope: a page being left out of the menu protects nothing;
    a URL typed by hand runs the page, which refuses here).

    Streamlit runs a page file on its own, without dashboard.py, in one case: the first request to a fresh server
    process asks for a page URL (its legacy pages/ folder mode stays on until st.navigation is called once in the
    process). Such a run registers the pages, which ends that mode for good and keeps this page current, and
    reruns: the next run starts at dashboard.py, on this page, with the same URL parameters.
    """
    import streamlit as st

    from board import access
    from board.sidebar import SELECTION_KEY

    if SELECTION_KEY not in st.session_state:
        navigation()
        st.rerun()
    page = sys._getframe(1).f_globals.get("__file__", "")  # the page file that called us
    spec = spec_of(page) if page else None
    if not access.gate():  # nobody signed in (the frame drew the form): never run a page's body
        st.stop()
    if spec is not None and not permitted(spec):
        access.refuse(spec.url_path)
