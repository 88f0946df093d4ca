"""`render_athlete` refuses what it cannot render, before rendering anything: one line each."""

from __future__ import annotations

import pytest

from squat_virtual_athlete.render_cli import build_parser, run


def render(args: list[str]) -> int:
    return run(build_parser().parse_args(args))


@pytest.mark.parametrize("args, reason", [
    (["--cameras", ""], "no camera to render"),
    (["--cameras", "front,front"], "same name"),
    (["--cameras", "top"], "no default camera 'top'"),
    (["--faults", "knee_valgus:nan"], "non-zero number from 0 to 30 deg"),
    (["--faults", "knee_valgus:1e9"], "non-zero number from 0 to 30 deg"),
    (["--faults", "forward_lean:-50"], "from 0 to 45 deg"),
    (["--faults", "heel_lift:5"], "from 0 to 0.1 m"),
    (["--faults", "knee_valgus:12@9"], "names rep(s) (9,) of only 5"),
    (["--reps", "100000"], "reps"),
    (["--reps", "200"], "longer than the 600 s"),
    (["--body-height", "nan"], "height_m"),
], ids=["no cameras", "a camera twice", "unknown camera", "NaN fault", "huge fault",
        "negative lean", "heel lift of 5 m", "fault in a rep that does not exist",
        "100000 reps", "a session over ten minutes", "NaN height"])
def test_a_session_that_cannot_be_rendered_is_refused(tmp_path, capsys, args, reason):
    out = tmp_path / "out"
    assert render(["-o", str(out), *args]) == 2
    assert reason in capsys.readouterr().err
    assert not out.exists(), "nothing is written"


@pytest.mark.parametrize("rig, reason", [
    ("cameras: []", "lists no cameras"),
    ("cameras: [{name: a, position: [3, 0, 1], fov_deg: 0}]", "field of view 0.0 deg"),
    ("cameras: [{name: a, position: [3, 0, 1], width: 0}]", "0x480 px"),
    ("cameras: [{name: ../escaped, position: [3, 0, 1]}]", "letters, digits"),
    ("cameras: [{name: a, position: [.nan, 0, 1]}]", "finite"),
    ("not: a rig", "lists no cameras"),
], ids=["no cameras", "fov 0", "width 0", "a name escaping -o", "NaN position", "no rig"])
def test_a_rig_that_cannot_be_rendered_is_refused(tmp_path, capsys, rig, reason):
    path = tmp_path / "rig.yaml"
    path.write_text(rig)
    out = tmp_path / "out"
    assert render(["-o", str(out), "--rig", str(path)]) == 2
    assert reason in capsys.readouterr().err
    assert not out.exists() and not (tmp_path / "escaped.mp4").exists()


@pytest.mark.parametrize("args", [["--fps", "0"], ["--fps", "nan"], ["--width", "0"],
                                  ["--fov", "180"], ["--noise", "-1"]],
                         ids=["fps 0", "fps NaN", "width 0", "fov 180", "negative noise"])
def test_a_bad_number_is_refused_by_the_parser(tmp_path, capsys, args):
    with pytest.raises(SystemExit) as stopped:
        build_parser().parse_args(["-o", str(tmp_path / "out"), *args])
    assert stopped.value.code == 2
    assert "is not" in capsys.readouterr().err


def test_an_output_that_cannot_be_written_is_refused_before_rendering(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("")
    for out, reason in ((blocker, "it is a file"), (blocker / "sub", "cannot write into"),
                        ("/proc/out", "cannot write into /proc/out")):
        assert render(["-o", str(out), "--reps", "1"]) == 2
        assert reason in capsys.readouterr().err
