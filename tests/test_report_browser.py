"""The report in a real headless browser (Debian's `chromium`) at 1280 px width: no console errors,
every image decodes, the verdict and its plot start on the first screen (900 px), the tables sort
and filter, and a screenshot is kept as an artifact. Skips without a browser unless
RNNBENCH_REQUIRE_BROWSER=1 (set by CI, which installs chromium), where a missing browser fails.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # a headless browser

WIDTH, FIRST_SCREEN = 1280, 900  # px: a laptop's first screen
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--enable-logging=stderr",
    "--v=0",
]
# Runs before the page's own Content-Security-Policy applies: records errors (failed loads, CSP
# violations, console.error) from the start, runs ON_LOAD (JavaScript that fills `__probe`; it may
# `await`) once the page has loaded, then writes `__probe` into the page as JSON.
PROBE_FRAME = """<script>
window.__probe = {errors: []};
window.addEventListener("error", (e) => __probe.errors.push(String(e.message || "failed to load " +
  (e.target && (e.target.src || e.target.href || e.target.outerHTML || "").slice(0, 80)))), true);
document.addEventListener("securitypolicyviolation", (e) => __probe.errors.push("CSP blocked " + e.blockedURI));
const consoleError = console.error;
console.error = (...args) => { __probe.errors.push(args.join(" ")); consoleError(...args); };
window.addEventListener("load", async () => {
ON_LOAD
  const out = document.createElement("pre");
  out.id = "rnnbench-probe";
  out.textContent = JSON.stringify(__probe);
  document.body.appendChild(out);
});
</script>"""
# The report's checks: image sizes, where the verdict starts, sorting and filtering a table.
PROBE = PROBE_FRAME.replace(
    "ON_LOAD",
    """
  const images = Array.from(document.images);
  __probe.images = images.length;
  __probe.broken = images.filter((img) => !(img.complete && img.naturalWidth > 0)).map((img) => img.alt);
  __probe.alts = images.map((img) => img.alt);
  const top = (id) => {
    const found = document.getElementById(id);
    return found ? found.getBoundingClientRect().top + scrollY : null;
  };
  __probe.verdictTop = top("verdict");
  __probe.headlineTop = top("plot-verdict_ratio");
  __probe.height = document.documentElement.scrollHeight;
  __probe.width = document.documentElement.scrollWidth;
  const text = Array.from(document.querySelectorAll("section")).map((s) => s.textContent).join(" ");
  __probe.nan = (text.match(/\\bnan\\b/gi) || []).length;
  const table = document.querySelector("#table-throughput table.sortable");
  if (table) {  // sort by the median column, then filter for "gru"
    const heads = Array.from(table.tHead.rows[0].cells).map((th) => th.textContent.trim());
    const column = heads.indexOf("median");
    table.tHead.rows[0].cells[column].querySelector("button").click();
    __probe.sorted = Array.from(table.tBodies[0].rows).map((row) => Number(row.cells[column].dataset.sort));
    const filter = table.parentElement.previousElementSibling;
    filter.value = "gru";
    filter.dispatchEvent(new Event("input"));
    const shown = Array.from(table.tBodies[0].rows).filter((row) => !row.hidden);
    const gru = shown.every((row) => row.textContent.includes("gru"));
    __probe.filtered = [shown.length, table.tBodies[0].rows.length, gru];
  }""",
)


@pytest.fixture(scope="module")
def chromium() -> str:
    if CHROMIUM is None:
        if os.environ.get("RNNBENCH_REQUIRE_BROWSER") == "1":
            pytest.fail(
                "RNNBENCH_REQUIRE_BROWSER=1 but no chromium on PATH (apt-get install chromium)"
            )
        pytest.skip("no headless browser: install Debian's chromium package to run this test")
    return CHROMIUM


def run_browser(browser: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [browser, *FLAGS, f"--user-data-dir={profile}", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def probe(browser: str, page: Path, work: Path) -> tuple[dict, list[str]]:
    """Load `page` with the probe injected; its findings and the browser's console log lines."""
    probed = work / f"probed-{page.name}"
    probed.write_text(page.read_text().replace("<head>", "<head>\n" + PROBE, 1))
    return read_probe(browser, work / "profile", probed.as_uri())


def read_probe(browser: str, profile: Path, url: str) -> tuple[dict, list[str]]:
    """Load `url` (a page holding a probe); the probe's findings and the browser's console log lines."""
    done = run_browser(
        browser, profile, "--window-size=1280,900", "--virtual-time-budget=10000", "--dump-dom", url
    )
    found = re.search(r'<pre id="rnnbench-probe">(.*?)</pre>', done.stdout, re.DOTALL)
    assert found, f"probe did not report (rc {done.returncode}): {done.stderr[-2000:]}"
    console = [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
    return json.loads(found.group(1)), console


def test_probe_catches_broken_images_and_console_errors(chromium: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.html"
    bad.write_text(
        '<html><head></head><body><img alt="broken" src="data:image/png;base64,AAAA">'
        '<script>console.error("boom")</script></body></html>'
    )
    found, console = probe(chromium, bad, tmp_path)
    assert found["broken"] == ["broken"] and "boom" in found["errors"]
    assert any("boom" in line for line in console)


@pytest.mark.parametrize(
    "report", ["tiny_report", "profiled_report"]
)  # the second: Why links, trend plots
def test_report_loads_cleanly_in_chromium(
    chromium: str, report: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    page = request.getfixturevalue(report) / "report.html"
    found, console = probe(chromium, page, tmp_path)
    assert found["errors"] == [] and console == []
    assert found["images"] == page.read_text().count("<img ") > 0
    assert found["broken"] == [] and all(alt.strip() for alt in found["alts"])
    assert (
        found["verdictTop"] < FIRST_SCREEN and found["headlineTop"] < FIRST_SCREEN
    )  # answers first
    assert found["width"] <= WIDTH  # no sideways scrolling of the page
    assert (
        found["nan"] == 0
    )  # no "nan" in any section's text (plots: test_report_build checks their SVG text)
    assert found["sorted"] == sorted(found["sorted"]) and len(found["sorted"]) > 1
    shown, total, all_gru = found["filtered"]
    assert 0 < shown < total and all_gru
    shot = tmp_path / "report-screenshot.png"
    done = run_browser(
        chromium,
        tmp_path / "profile",
        f"--window-size={WIDTH},{FIRST_SCREEN}",
        f"--screenshot={shot}",
        page.as_uri(),
    )
    assert shot.stat().st_size > 0, done.stderr[-2000:]
    print(f"screenshot: {shot}")
