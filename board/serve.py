"""Serve the dashboard: ``python -m board.serve [streamlit options]`` = ``streamlit run dashboard.py`` minus one quirk.

With ``pages/`` beside ``dashboard.py``, Streamlit 1.67 starts a fresh server in its legacy pages/ mode
(``PagesManager.uses_pages_directory``), which runs the very first request through an English menu of
file names and answers an unknown URL with its own English "Page not found" dialog before any of our
code runs. The pages are registered by ``st.navigation`` in ``dashboard.py``, so that mode is only ever
wrong here: it is switched off before the server starts. (Run with plain ``streamlit run dashboard.py``,
everything still works; only the first request of a fresh server to an unknown URL shows that dialog.)
"""

from __future__ import annotations

import sys
from pathlib import Path

ENTRY = Path(__file__).resolve().parents[1] / "dashboard.py"


def main(argv: list[str]) -> None:
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.web import cli

    PagesManager.uses_pages_directory = False  # set once per process; None would mean "look for pages/"
    sys.argv = ["streamlit", "run", str(ENTRY), *argv]
    cli.main()


if __name__ == "__main__":
    main(sys.argv[1:])
