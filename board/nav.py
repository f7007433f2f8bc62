"""Page registry: each page file, its navigation section and title; links only to pages that exist."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class PageSpec:
    path: str  # relative to the repository root
    section: str
    title_key: str
    icon: str
    url_path: str
    params: tuple[str, ...] = ()  # URL parameters the page owns (kept in the URL beside the shared filters)


# Later issues add their pages here; a page whose file does not exist yet is left out of the menu
# and links to it are not drawn.
PAGES: tuple[PageSpec, ...] = (
    PageSpec("pages/overview.py", "overview", "page.overview", ":material/dashboard:", "overview", ("rank",)),
    PageSpec("pages/projects.py", "investment", "page.projects", ":material/handshake:", "projects"),
    PageSpec("pages/parks.py", "parks", "page.parks", ":material/factory:", "parks"),
    PageSpec("pages/employment.py", "employment", "page.employment", ":material/work:", "employment"),
    PageSpec("pages/assessment.py", "assessment", "page.assessment", ":material/leaderboard:", "assessment"),
    PageSpec("pages/upload.py", "data", "page.upload", ":material/upload_file:", "upload"),
    PageSpec("pages/batches.py", "data", "page.batches", ":material/inventory_2:", "batches"),
)
STALLED_PAGE = "pages/projects.py"  # lists stalled projects
BEHIND_PAGE = "pages/assessment.py"  # lists units behind 序时
UPLOAD_PAGE = "pages/upload.py"


def page_params() -> tuple[str, ...]:
    """Every URL parameter a registered page owns (the frame keeps them; a page validates its own)."""
    return tuple(dict.fromkeys(p for spec in PAGES for p in spec.params))


def exists(path: str) -> bool:
    return (ROOT / path).is_file()


def existing() -> list[PageSpec]:
    """The registered pages whose file exists, in menu order."""
    return [p for p in PAGES if exists(p.path)]


def script(path: str) -> str:
    """Absolute path of a page file (pages are registered by absolute path, whatever the working dir)."""
    return str(ROOT / path)


def link(path: str, label: str) -> bool:
    """Draw a page link when the page exists; return whether it was drawn."""
    if not exists(path):
        return False
    import streamlit as st

    st.page_link(script(path), label=label, icon=":material/arrow_forward:")
    return True


def require_frame() -> None:
    """First line of every page: make sure the entry script (navigation, filters, freshness) ran.

    Streamlit runs a page file on its own, without dashboard.py, in one case: the very first request
    to a fresh server process asks for a page URL (its legacy pages/ folder mode is still on until
    st.navigation has been called once). Such a run is sent to the entry script, URL parameters kept;
    from then on the process runs the entry script every time.
    """
    import streamlit as st

    from board.sidebar import SELECTION_KEY

    if SELECTION_KEY not in st.session_state:
        st.switch_page(script("dashboard.py"), query_params={k: st.query_params.get_all(k) for k in st.query_params})
