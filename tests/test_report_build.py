"""A report built from a small real run: values, images, cases, escaping, outputs."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest
from PIL import Image
from report_data import SUITE_NAME

from rnnbench.reports.build import build
from rnnbench.reports.inputs import SHAPE
from rnnbench.reports.plots import PLOTS
from rnnbench.results import store

DRAWN = (
    "verdict_ratio",
    "time_vs_seq_len",
    "time_vs_batch",
    "time_vs_hidden_size",
    "ratio_heat_map",
    "memory_vs_seq_len",
    "memory_vs_batch",
    "memory_vs_hidden_size",
    "roofline",
)


def records(results: Path) -> list[dict]:
    return [record for doc in store.load([results]) for record in doc["records"]]


def test_comparison_table_holds_the_record_medians(tiny_results: Path, tiny_report: Path) -> None:
    table = pd.read_csv(tiny_report / "tables" / "comparison.csv")
    timed = [r for r in records(tiny_results) if r["status"] == "ok"]
    assert timed
    for record in timed:
        case = record["case"] | {"threads": record["measures"]["threads"]}  # the count it ran with
        row = table[(table[list(SHAPE)] == pd.Series({k: case[k] for k in SHAPE})).all(axis=1)]
        assert len(row) == 1, record["id"]
        column = f"{case['cell']} {case['phase']} median_s"
        assert row[column].item() == pytest.approx(record["stats"]["median"], rel=1e-12)
        assert row[f"{case['cell']} {case['phase']} iqr_s"].item() == pytest.approx(
            record["stats"]["iqr"], rel=1e-12
        )


def test_ratio_column_is_gru_over_lstm(tiny_report: Path) -> None:
    table = pd.read_csv(tiny_report / "tables" / "comparison.csv")
    for phase in ("forward_backward", "inference"):
        expected = table[f"gru {phase} median_s"] / table[f"lstm {phase} median_s"]
        assert table[f"gru/lstm {phase} median"].tolist() == pytest.approx(expected.tolist())


def test_every_plot_is_a_valid_image(tiny_report: Path) -> None:
    for name in DRAWN:
        with Image.open(tiny_report / "plots" / f"{name}.png") as image:
            image.verify()
            assert image.format == "PNG" and image.size[0] > 100 and image.size[1] > 100
        assert ET.parse(tiny_report / "plots" / f"{name}.svg").getroot().tag.endswith("svg")
    assert not (tiny_report / "plots" / "cudnn_speedup.png").exists()  # no CUDA pair on this run
    assert set(DRAWN) - {"verdict_ratio"} < set(PLOTS)


def test_every_case_appears_in_the_html(tiny_results: Path, tiny_report: Path) -> None:
    page = (tiny_report / "report.html").read_text()
    every = records(tiny_results)
    assert any(r["status"] == "skipped" for r in every) or any(
        r["case"]["device"] == "cuda" for r in every
    )
    for record in every:
        assert record["id"] in page
        if record["status"] != "ok":
            assert record["reason"] in page
    assert page.count("<img ") == len(DRAWN)
    assert "cuDNN speed-up: not drawn (no CUDA results with cuDNN both on and off)" in page


def test_html_escapes_names_and_fetches_nothing(tiny_report: Path) -> None:
    page = (tiny_report / "report.html").read_text()
    assert SUITE_NAME not in page
    assert "&lt;b&gt;&amp;&#34;x&#39;" in page
    assert re.findall(r'(?:src|href)="(?!data:|#)', page) == []  # every image inlined, no links out


def test_tables_are_written_as_csv_and_markdown(tiny_report: Path) -> None:
    for name in ("claims", "comparison", "memory", "throughput", "environment"):
        assert (tiny_report / "tables" / f"{name}.csv").stat().st_size > 0
        markdown = (tiny_report / "tables" / f"{name}.md").read_text()
        assert markdown.startswith("|") and "---" in markdown
    claims = pd.read_csv(tiny_report / "tables" / "claims.csv")
    assert claims.set_index("aspect").loc["parameters", "verdict"] == "confirmed"
    assert claims.set_index("aspect").loc["accuracy", "verdict"] == "not measured"


def test_a_run_without_timed_records_still_reports(tiny_results: Path, tmp_path: Path) -> None:
    doc = store.load([tiny_results])[0]
    for record in doc["records"]:
        record.update(
            status="skipped", reason="skipped <for> the test", stats=None, times_s=[], measures={}
        )
    (tmp_path / "skipped.json").write_text(json.dumps(doc))
    page = build([tmp_path / "skipped.json"], tmp_path / "out", progress=False).read_text()
    assert "Nothing to show: no timed records" in page and "<img " not in page
    assert page.count("skipped &lt;for&gt; the test") == len(doc["records"])
    claims = pd.read_csv(tmp_path / "out" / "tables" / "claims.csv")
    assert set(claims["verdict"]) == {"not measured"}


def svg_texts(path: Path) -> list[str]:
    """Every text of an SVG plot (written with svg.fonttype none, so text stays text)."""
    return [
        "".join(node.itertext()) for node in ET.parse(path).iter() if node.tag.endswith("}text")
    ]


def test_plots_share_one_visual_language_without_nan(tiny_report: Path) -> None:
    for name in DRAWN:
        svg = tiny_report / "plots" / f"{name}.svg"
        texts = svg_texts(svg)
        assert texts and not [t for t in texts if "nan" in t.lower()], name
        source = svg.read_text().lower()
        assert "#1f77b4" not in source and "#ff7f0e" not in source, (
            name
        )  # matplotlib's default cycle
    for name in (
        "time_vs_seq_len",
        "time_vs_batch",
        "time_vs_hidden_size",
        "memory_vs_seq_len",
        "roofline",
    ):
        source = (tiny_report / "plots" / f"{name}.svg").read_text().lower()
        assert "#0072b2" in source and "#d55e00" in source, name  # LSTM blue, GRU vermillion
    time_labels = svg_texts(tiny_report / "plots" / "time_vs_seq_len.svg")
    assert any(t.endswith((" ms", " µs", " s")) for t in time_labels)  # tick labels carry units


def test_inline_script_is_allowed_by_its_hash_only(tiny_report: Path) -> None:
    page = (tiny_report / "report.html").read_text()
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1)
    script = re.search(r"<script>(.*?)</script>", page, re.DOTALL).group(1)
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in policy and "default-src 'none'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1]
    assert page.count("<script") == 1


def test_tables_are_collapsible_and_split_per_phase(tiny_report: Path) -> None:
    page = (tiny_report / "report.html").read_text()
    assert (
        page.index('id="verdict"') < page.index('id="plots"') < page.index('id="tables"')
    )  # plots before tables
    assert page.index('<section id="tables">') < page.index('<details open id="table-claims">')
    comparison = page[page.index('id="table-comparison"') : page.index('id="table-cudnn_speedup"')]
    assert [c for c in ("<h4>forward+backward</h4>", "<h4>inference</h4>") if c in comparison] == [
        "<h4>forward+backward</h4>",
        "<h4>inference</h4>",
    ]
