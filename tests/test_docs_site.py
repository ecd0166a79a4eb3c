"""The documentation site, built strictly and opened in headless chromium: the index loads with no
console errors, its images decode, and every page of the navigation is served with its title.
Skips without mkdocs or a browser unless RNNBENCH_REQUIRE_BROWSER=1 (CI), where either fails."""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from docs_check import ROOT
from test_report_browser import PROBE_FRAME, chromium, read_probe  # noqa: F401 (chromium: the fixture)

# Once the page has loaded: which images failed, and every navigation link fetched (status, title).
PROBE = PROBE_FRAME.replace(
    "ON_LOAD",
    """
  const images = Array.from(document.images);
  __probe.broken = images.filter((img) => !(img.complete && img.naturalWidth > 0)).map((img) => img.alt);
  const links = Array.from(document.querySelectorAll("nav.md-nav--primary a.md-nav__link[href]"))
    .filter((link) => !link.getAttribute("href").includes("#"));  // pages, not the index's own headings
  __probe.pages = {};
  for (const link of links) {
    const response = await fetch(link.href);
    const title = (await response.text()).match(/<h1[^>]*>([^<]*)/);
    __probe.pages[link.textContent.trim()] = [response.status, title ? title[1].trim() : null];
  }""",
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site, built as `tox -e docs` builds it (strict)."""
    try:
        import mkdocs  # noqa: F401
    except ImportError:
        if os.environ.get("RNNBENCH_REQUIRE_BROWSER") == "1":
            pytest.fail(
                "RNNBENCH_REQUIRE_BROWSER=1 but mkdocs is not installed (pip install '.[docs]')"
            )
        pytest.skip("mkdocs is not installed: pip install '.[docs]'")
    out = tmp_path_factory.mktemp("site")
    command = [
        sys.executable,
        "-m",
        "mkdocs",
        "build",
        "--strict",
        "--config-file",
        str(ROOT / "mkdocs.yml"),
        "--site-dir",
        str(out),
    ]
    done = subprocess.run(
        command,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=os.environ | {"NO_MKDOCS_2_WARNING": "1"},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return out


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """No access log on the test's output."""


@pytest.fixture
def served(site: Path) -> Iterator[str]:
    """The site over HTTP on localhost (the theme's scripts expect a server, as on any host)."""
    handler = functools.partial(QuietHandler, directory=str(site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def nav_titles() -> list[str]:
    """The page titles mkdocs.yml lists in its navigation."""
    import yaml  # comes with mkdocs

    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text())
    return [title for entry in config["nav"] for title in entry]


@pytest.mark.slow
def test_site_index_opens_cleanly_in_chromium(
    chromium: str,  # noqa: F811 (the fixture imported from test_report_browser)
    site: Path,
    served: str,
    tmp_path: Path,
) -> None:
    index = site / "index.html"
    (site / "probed.html").write_text(index.read_text().replace("<head>", "<head>\n" + PROBE, 1))
    probe, console = read_probe(chromium, tmp_path / "profile", f"{served}/probed.html")
    assert probe["errors"] == [] and console == []
    assert probe["broken"] == []
    assert set(probe["pages"]) == set(nav_titles())
    assert all(status == 200 and title for status, title in probe["pages"].values()), probe["pages"]
