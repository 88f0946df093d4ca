"""The session report: one self-contained HTML file (plots and pictures embedded) and the rep
table as CSV, from a recorded session (session_record). Imports no rclpy.

For a trainer reading it after the set: the summary first, then a row per rep (tempo, depth,
valgus, lean, score, faults, the coach's words and their sources), the knee, hip and trunk
curves against the reference with the reps marked, each rep's bottom as both cameras saw it
with the skeleton found on it, and how well the two cameras paired.
"""

from __future__ import annotations

import base64
import csv
import html
import io
import math
from datetime import UTC, datetime
from pathlib import Path

import cv2
import matplotlib
import numpy as np

matplotlib.use("Agg")  # no display: the report is drawn into memory
from matplotlib import pyplot as plt

from squat_bringup.session_record import PLOTTED, BottomFrame, RecordedRep, SessionRecord
from squat_pose.landmarks import SKELETON

CSV_COLUMNS = ("rep", "start_s", "descent_s", "bottom_s", "ascent_s", "min_knee_angle_deg",
               "max_trunk_lean_deg", "max_knee_valgus_deg", "score", "faults", "feedback",
               "sources")
LABELS = {"knee_flexion": "knee flexion", "hip_flexion": "hip flexion",
          "trunk_lean": "trunk lean"}
THUMB_HEIGHT = 240
MIN_VISIBILITY = 0.5
BONE, JOINT = (80, 220, 80), (255, 255, 255)
STYLE = """
body { font-family: sans-serif; margin: 1.5em; color: #222; max-width: 1200px; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 1.6em; }
.summary span { display: inline-block; margin-right: 2em; font-size: 1.1em; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #ccc; padding: 4px 8px; vertical-align: top; text-align: left; }
th { background: #eee; }
.score { font-weight: bold; text-align: center; }
.good { background: #c8ecc8; }
.fair { background: #f6e6a8; }
.poor { background: #f3b8b0; }
figure { display: inline-block; margin: 4px; }
figcaption { text-align: center; font-size: .9em; }
.note { color: #a33; }
"""


def _number(value: float, form: str = ".0f") -> str:
    return "-" if not math.isfinite(value) else f"{value:{form}}"


def _fault_number(value: float) -> str:
    # Shares (knee valgus: 0.15 of the standing knee separation) need two decimals.
    return _number(value, ".1f" if abs(value) >= 1.0 else ".2f")


def _fault_text(rep: RecordedRep) -> str:
    return "; ".join(f"{code.replace('_', ' ')} ({severity}, {_fault_number(value)} {unit}, "
                     f"limit {_fault_number(limit)} {unit})".replace(" ,", ",")
                     for code, severity, value, limit, unit in rep.faults)


def csv_rows(record: SessionRecord) -> list[dict[str, str]]:
    """The rep table, one dict per rep, in CSV_COLUMNS."""
    return [{"rep": str(r.index), "start_s": _number(r.start_s, ".2f"),
             "descent_s": _number(r.descent_s, ".2f"), "bottom_s": _number(r.bottom_hold_s, ".2f"),
             "ascent_s": _number(r.ascent_s, ".2f"),
             "min_knee_angle_deg": _number(r.min_knee_angle_deg, ".1f"),
             "max_trunk_lean_deg": _number(r.max_trunk_lean_deg, ".1f"),
             "max_knee_valgus_deg": _number(r.max_knee_valgus_deg, ".1f"),
             "score": _number(r.score, ".1f"), "faults": _fault_text(r),
             "feedback": r.feedback, "sources": " ".join(r.sources)} for r in record.reps]


def write_csv(record: SessionRecord, path: Path) -> None:
    """The rep table as CSV at `path`."""
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, CSV_COLUMNS)
        writer.writeheader()
        writer.writerows(csv_rows(record))


def _png(figure: plt.Figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    plt.close(figure)
    return base64.b64encode(buffer.getvalue()).decode()


def curves_png(record: SessionRecord) -> str:
    """Knee, hip and trunk angles over the session against the reference, reps shaded."""
    figure, axes = plt.subplots(len(PLOTTED), 1, figsize=(10, 7), sharex=True)
    for axis, name in zip(axes, PLOTTED, strict=True):
        axis.plot(record.times_s, record.angles[name], color="#1b7f3b", lw=1.4,
                  label="athlete")
        if name in record.reference_angles:
            axis.plot(record.times_s, record.reference_angles[name], color="#3d8bd9", lw=1.2,
                      ls="--", label=f"reference ({record.reference_name})")
        for rep in record.reps:
            axis.axvspan(rep.start_s, rep.end_s, color="#f0c040", alpha=0.15, lw=0)
            axis.axvline(rep.bottom_s, color="#b08000", lw=0.8, ls=":")
        axis.set_ylabel(f"{LABELS[name]} (deg)")
        axis.grid(alpha=0.3)
    for rep in record.reps:
        axes[0].annotate(f"rep {rep.index}", (rep.bottom_s, 1.0), xycoords=("data",
                         "axes fraction"), ha="center", va="bottom", fontsize=8)
    axes[0].legend(loc="lower right", fontsize=8)
    axes[-1].set_xlabel("time (s)")
    return _png(figure)


def _thumbnail(bottom: BottomFrame) -> str:
    image = bottom.image.copy()
    if len(bottom.points) == len(bottom.visibility) > max(max(pair) for pair in SKELETON):
        points = np.round(bottom.points).astype(int)
        for a, b in SKELETON:
            if min(bottom.visibility[a], bottom.visibility[b]) >= MIN_VISIBILITY:
                cv2.line(image, tuple(points[a]), tuple(points[b]), BONE, 2, cv2.LINE_AA)
        for point, visible in zip(points, bottom.visibility, strict=True):
            if visible >= MIN_VISIBILITY:
                cv2.circle(image, tuple(point), 3, JOINT, -1, cv2.LINE_AA)
    scale = THUMB_HEIGHT / image.shape[0]
    image = cv2.resize(image, (round(image.shape[1] * scale), THUMB_HEIGHT),
                       interpolation=cv2.INTER_AREA)
    ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 85])
    return base64.b64encode(encoded.tobytes()).decode() if ok else ""


def _score_class(score: float) -> str:
    if not math.isfinite(score):
        return "none"
    return "good" if score >= 80 else "fair" if score >= 60 else "poor"


def render_html(record: SessionRecord) -> str:
    """The whole report as one HTML document."""
    e = html.escape
    started = datetime.fromtimestamp(record.start_ns / 1e9, UTC)
    errors = record.sync_errors_ms[np.isfinite(record.sync_errors_ms)]
    sync = (f"{len(record.times_s)} camera pairs analysed, |front - side| p50 "
            f"{np.percentile(errors, 50):.1f} ms, p99 {np.percentile(errors, 99):.1f} ms"
            if errors.size else f"{len(record.times_s)} frames analysed from one camera")
    faulted = {}
    for rep in record.reps:
        for code, *_ in rep.faults:
            faulted.setdefault(code, []).append(rep.index)
    fault_summary = "; ".join(f"{code.replace('_', ' ')}: reps {', '.join(map(str, reps))}"
                              for code, reps in sorted(faulted.items())) or "none"
    rows = []
    for rep in record.reps:
        deviations = ", ".join(f"{angle.replace('_', ' ')} {degrees:+.0f} deg at the {phase}"
                               for angle, phase, degrees in rep.deviations)
        sources = (f"<br><small>sources: {e(', '.join(rep.sources))}</small>" if rep.sources
                   else "")
        unjudged = "; ".join(f"{code.replace('_', ' ')}: {reason}"
                             for code, reason in rep.not_judged)
        rows.append(
            f"<tr><td>{rep.index}</td><td>{_number(rep.descent_s, '.1f')} / "
            f"{_number(rep.bottom_hold_s, '.1f')} / {_number(rep.ascent_s, '.1f')}</td>"
            f"<td>{_number(rep.min_knee_angle_deg)}</td>"
            f"<td>{_number(rep.max_knee_valgus_deg)}</td>"
            f"<td>{_number(rep.max_trunk_lean_deg)}</td>"
            f"<td class='score {_score_class(rep.score)}'>{_number(rep.score)}</td>"
            f"<td>{e(_fault_text(rep)) or 'none'}"
            f"{'<br><small>' + e(deviations) + '</small>' if deviations else ''}"
            f"{'<br><small>not judged: ' + e(unjudged) + '</small>' if unjudged else ''}</td>"
            f"<td>{e(rep.feedback) or '<em>no feedback recorded</em>'}{sources}</td></tr>")
    pictures = []
    for bottom in record.bottoms:
        data = _thumbnail(bottom)
        if data:
            pictures.append(f"<figure><img alt='rep {bottom.rep_index} {bottom.view} at the "
                            f"bottom' src='data:image/jpeg;base64,{data}'><figcaption>rep "
                            f"{bottom.rep_index}, {bottom.view}</figcaption></figure>")
    reference = (f"scored against {e(record.reference_name)}" if record.reference_name
                 else "not scored")
    note = f"<p class='note'>{e(record.reference_note)}</p>" if record.reference_note else ""
    table = ("<table><thead><tr><th>rep</th><th>down / hold / up (s)</th>"
             "<th>knee angle at the bottom (deg)</th><th>valgus (deg)</th><th>trunk lean (deg)</th>"
             "<th>score</th><th>faults</th><th>coach</th></tr></thead><tbody>"
             + "".join(rows) + "</tbody></table>") if rows else "<p>No rep was finished.</p>"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>squat coach session {started:%Y-%m-%d %H:%M}</title>
<style>{STYLE}</style></head><body>
<h1>squat coach session, {started:%Y-%m-%d %H:%M:%S} UTC</h1>
<p class="summary"><span>reps: <b>{len(record.reps)}</b></span>
<span>mean score: <b>{_number(record.mean_score)}</b></span>
<span>duration: {record.duration_s:.0f} s</span><span>{reference}</span></p>
<p>faults: {e(fault_summary)}</p>
<p>sync: {sync}</p>
<p>bag: <code>{e(str(record.bag))}</code></p>
<h2>Reps</h2>
{table}
<h2>Angles against the reference</h2>
{note}
<img alt="knee, hip and trunk angles over the session"
 src="data:image/png;base64,{curves_png(record)}">
<h2>Each rep at the bottom</h2>
{''.join(pictures) or '<p>No camera frame at a rep bottom was recorded.</p>'}
</body></html>
"""


def write_report(record: SessionRecord, path: Path) -> None:
    """The HTML report at `path`."""
    path.write_text(render_html(record), encoding="utf-8")
