"""The HTML report: self-contained, and rendered by a real browser (headless Chromium)."""

from __future__ import annotations

import base64
import io
import re
import shutil
import subprocess
from pathlib import Path

import matplotlib.pyplot as plt
import pytest

from recunlearn.report.headline import headline_tables
from recunlearn.report.html import html_report
from recunlearn.report.interactive_figures import (
    auc_figure,
    completeness_figure,
    tradeoff_figure,
)
from recunlearn.report.provenance import describe_run, drop_cross_run_speedups
from recunlearn.report.seed_noise import coefficient_table

from .conftest import RUN

FIGURE_IDS = ("figure-auc", "figure-completeness", "figure-tradeoff")
# Collects uncaught errors, console.error calls and broken images into the DOM, where
# Chromium's --dump-dom shows them (injected into the test's copy of the page only).
ERROR_PROBE = """<script>
function recordError(text) {
  const node = document.createElement('pre');
  node.className = 'console-error';
  node.textContent = text;
  document.documentElement.appendChild(node);
}
window.addEventListener('error', e => recordError('error: ' + e.message));
const originalError = console.error;
console.error = (...args) => { recordError('console.error: ' + args.join(' ')); originalError(...args); };
window.addEventListener('load', () => {
  const width = document.documentElement.scrollWidth;
  if (width > window.innerWidth) recordError('horizontal scroll: ' + width + ' > ' + window.innerWidth);
  for (const img of document.images) {
    if (!img.complete || img.naturalWidth === 0) recordError('broken image: ' + img.alt);
  }
});
</script>"""


def png_bytes() -> bytes:
    figure, axes = plt.subplots(figsize=(3, 2))
    axes.plot([0, 1], [1, 0])
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    return buffer.getvalue()


@pytest.fixture
def page(report_inputs) -> str:
    tidy, runs = report_inputs
    tidy = drop_cross_run_speedups(tidy, runs)
    coefficients = coefficient_table(tidy)
    provenance = describe_run(runs, {"session_id": "s", "versions": {"mi_train": RUN}}, "x", 3)
    figures = [
        ("auc", auc_figure(tidy, runs)),
        ("completeness", completeness_figure(coefficients, runs)),
        ("tradeoff", tradeoff_figure(tidy, coefficients, runs)),
    ]
    benchmarks = {"ifru_ratio": {"png": png_bytes(), "version": "2026-11-01T00.00.00.000Z"}}
    headlines = headline_tables(tidy, coefficients, runs)
    return html_report(provenance, headlines, figures, benchmarks, tidy)


def test_page_is_self_contained_with_every_figure_and_the_provenance(page):
    assert not re.search(r"<script[^>]+src=", page) and "<link" not in page
    assert not re.search(r"<img[^>]+src=['\"]https?:", page)
    assert page.count("plotly.js v") >= 1  # the library itself is embedded
    for figure_id in FIGURE_IDS:
        assert f'id="{figure_id}"' in page
    assert base64.b64encode(png_bytes()).decode()[:200] in page
    assert "ifru_ratio (version 2026-11-01T00.00.00.000Z)" in page
    assert RUN in page and "LightGCN · Warm-Start †" in page and "MF · IFRU" in page


def test_each_backbone_has_one_section_with_its_verdict_above_its_table(page):
    assert page.count("<h2 id='backbone-mf'>MF</h2>") == 1 and ">mf<" not in page
    mf = page.index("backbone-mf")
    assert mf < page.index("<b>Verdict: LASER</b>") < page.index("MF · IFRU")
    assert page.index("MF · IFRU") < page.index("backbone-lightgcn")


def chromium(*args: str) -> subprocess.CompletedProcess:
    executable = shutil.which("chromium")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
    flags += ["--virtual-time-budget=20000", "--enable-logging=stderr", "--v=0"]
    return subprocess.run(
        [executable, *flags, *args], capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.skipif(
    shutil.which("chromium") is None,
    reason="Debian's `chromium` is not installed (apt-get install chromium); "
    "the browser rendering check needs it",
)
def test_chromium_renders_every_figure_without_console_errors(page, tmp_path: Path):
    probed = tmp_path / "report.html"
    probed.write_text(page.replace("<head>", "<head>" + ERROR_PROBE, 1), encoding="utf-8")
    dom = chromium("--dump-dom", "--window-size=1280,2400", probed.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert "console-error" not in dom.stdout.split("</body>")[-1], dom.stdout[-3000:]
    console = [line for line in dom.stderr.splitlines() if ":CONSOLE" in line]
    assert not [line for line in console if "rror" in line], console
    for figure_id in FIGURE_IDS:
        rendered = re.search(rf'<div id="{figure_id}"[^>]*class="[^"]*js-plotly-plot', dom.stdout)
        assert rendered, f"{figure_id} was not rendered"
    assert dom.stdout.count('class="main-svg"') >= 2 * len(FIGURE_IDS)
    screenshot = tmp_path / "report.png"
    shot = chromium(f"--screenshot={screenshot}", "--window-size=1280,2400", probed.as_uri())
    assert shot.returncode == 0 and screenshot.stat().st_size > 20_000, shot.stderr[-2000:]
