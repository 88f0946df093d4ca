"""`coach report`: a recorded session as one HTML file a trainer reads, and its rep table as
CSV; looked at in headless Chromium as a person would."""

from __future__ import annotations

import csv
import re
import subprocess

import pytest

from conftest import REPO_ROOT
from helpers.chromium import CHROMIUM, report_ink, screenshot
from helpers.session_bag import write_session


def coach(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(REPO_ROOT / "scripts" / "coach"), *args], capture_output=True,
                          text=True, timeout=300)


def test_the_report_holds_the_reps_their_feedback_curves_and_pictures(tmp_path):
    bag = tmp_path / "session"
    made, _ = write_session(bag, reps=3, faulty={2: "knee_valgus"})
    table = tmp_path / "reps.csv"
    result = coach("report", str(bag), "--csv", str(table))
    assert result.returncode == 0, result.stderr
    page = (bag / "report.html").read_text()
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", body)
    assert len(rows) == made.reps
    assert "knee valgus (medium, 14.5 deg, limit 10.0 deg)" in rows[1]
    assert "trunk lean +18 deg at the bottom" in rows[1]
    assert all("none" in rows[i] for i in (0, 2))
    assert all(f"Rep {i + 1}: knees out" in row for i, row in enumerate(rows))
    assert "sources: knee_valgus, technique_bracing" in rows[0]
    assert "knee valgus: reps 2" in page and "mean score: <b>82</b>" in page
    assert re.search(r"sync: \d+ camera pairs analysed, \|front - side\| p50 4\.0 ms, p99 "
                     r"6\.0 ms", page), page[:3000]
    # The curves against the built-in reference, and each rep's bottom from both cameras.
    assert page.count("data:image/png;base64,") == 1
    assert page.count("data:image/jpeg;base64,") == 2 * made.reps
    assert "scored against built-in: virtual athlete" in page and "http" not in page.replace(
        "http-equiv", "")  # one self-contained file: nothing fetched
    with table.open() as rows_file:
        reps = list(csv.DictReader(rows_file))
    assert [r["rep"] for r in reps] == ["1", "2", "3"]
    assert reps[1]["faults"].startswith("knee valgus (medium") and reps[0]["faults"] == ""
    assert reps[0]["score"] == "92.0" and reps[1]["score"] == "62.0"
    assert reps[2]["sources"] == "knee_valgus technique_bracing"


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed "
                    "(.ci/run installs it)")
def test_the_report_shows_its_table_and_plots_in_chromium(tmp_path):
    bag = tmp_path / "session"
    write_session(bag, reps=2, faulty={1: "forward_lean"})
    assert coach("report", str(bag), "-o", str(tmp_path / "r.html")).returncode == 0
    rows_with_ink, athlete, reference = report_ink(screenshot(tmp_path / "r.html",
                                                             tmp_path / "r.png"))
    # Not blank: most rows of the page carry something, and the plot's curves are drawn.
    assert rows_with_ink > 0.3 and athlete > 500 and reference > 300, (rows_with_ink,
                                                                       athlete, reference)


@pytest.mark.parametrize(("args", "message"), [
    (["{tmp}"], "is not a rosbag2 bag (no metadata.yaml)"),
    (["{bag}", "-o", "/proc/report.html"], "cannot write /proc/report.html"),
    (["{bag}", "--csv", "{tmp}"], "it is a folder"),
    (["{empty}"], "holds no squat states: nothing to report"),
], ids=["no bag", "unwritable report", "csv into a folder", "no states"])
def test_bad_report_requests_get_one_line(tmp_path, args, message):
    bag = tmp_path / "session"
    write_session(bag, reps=1)
    empty, writer = tmp_path / "empty", None
    from squat_bringup.bag_writer import BagWriter, qos

    writer = BagWriter(empty)
    writer.add_topic("/diagnostics", "diagnostic_msgs/msg/DiagnosticArray", qos(True, False))
    writer.close()
    result = coach("report", *[a.format(tmp=tmp_path, bag=bag, empty=empty) for a in args])
    assert result.returncode == 2, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr
    said = [line for line in result.stderr.splitlines() if line.startswith("coach report:")]
    assert len(said) == 1, result.stderr
