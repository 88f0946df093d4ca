"""The parsers of what users write, over inputs nobody thought of (Hypothesis): each either
gives a valid value or refuses with its own error type, whose message says what is wrong.
Never another exception (a traceback in front of the user), never a value out of range."""

from __future__ import annotations

import functools
import json
import math
import string
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from squat_bringup.graph import GraphError, load_graph
from squat_feedback.question_screen import readable_text, screen_question
from squat_pose.reference import ReferenceError, builtin_reference_path, load_reference
from squat_virtual_athlete.render_cli import cameras_from_rig
from squat_virtual_athlete.spec import (
    FAULT_RANGES,
    FAULT_UNITS,
    SpecError,
    format_faults,
    parse_faults,
)

# Examples per property: enough to find the odd case, few enough for the suite's time.
EXAMPLES = 150
FILES = settings(max_examples=EXAMPLES, deadline=None,
                 suppress_health_check=[HealthCheck.function_scoped_fixture])

# Any YAML / JSON value: scalars of every kind (NaN, infinities, huge integers, text) nested.
SCALARS = (st.none() | st.booleans() | st.integers(min_value=-10**30, max_value=10**30)
           | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=20))
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.text(max_size=10), inner, max_size=4), max_leaves=20)

# Text close to a fault list: its own alphabet, so the interesting parts come up often.
FAULT_TEXT = st.text(alphabet=string.ascii_lowercase + string.digits + "_:@,;. -+eE",
                     max_size=60) | st.builds(
    lambda name, rest: name + rest, st.sampled_from(sorted(FAULT_UNITS)),
    st.text(alphabet=string.digits + ":@,;.-+eEinaf ", max_size=20))


@settings(max_examples=EXAMPLES * 2, deadline=None)
@given(FAULT_TEXT)
def test_a_fault_list_parses_into_faults_in_range_or_is_refused(text):
    try:
        faults = parse_faults(text)
    except SpecError as error:
        assert str(error)
        return
    for fault in faults:
        low, high = FAULT_RANGES[fault.name]
        assert math.isfinite(fault.size) and low <= fault.size <= high and fault.size != 0
        assert all(rep >= 1 for rep in fault.reps)
    # What it parsed is written back as a fault list that parses to the same faults.
    assert parse_faults(format_faults(faults)) == faults


@st.composite
def fault_lists(draw) -> str:
    items = []
    for name in draw(st.lists(st.sampled_from(sorted(FAULT_UNITS)), max_size=4)):
        low, high = FAULT_RANGES[name]
        size = draw(st.floats(low, high).filter(lambda v: v != 0))
        reps = draw(st.lists(st.integers(1, 20), max_size=3))
        items.append(f"{name}:{size!r}" + (f"@{','.join(map(str, reps))}" if reps else ""))
    return "; ".join(items)


@settings(max_examples=EXAMPLES, deadline=None)
@given(fault_lists())
def test_every_well_formed_fault_list_is_taken(text):
    assert len(parse_faults(text)) == text.count(":")


@FILES
@given(VALUES | st.fixed_dictionaries({"cameras": st.lists(VALUES, max_size=3)})
       | st.fixed_dictionaries({"cameras": st.lists(st.fixed_dictionaries(
           {"name": VALUES, "position": VALUES}, optional={
               "look_at": VALUES, "width": VALUES, "height": VALUES, "fov_deg": VALUES}),
           min_size=1, max_size=2)}))
def test_a_camera_rig_gives_usable_cameras_or_is_refused(tmp_path, rig):
    path = tmp_path / "rig.yaml"
    path.write_text(yaml.safe_dump(rig))
    try:
        cameras = cameras_from_rig(path, 640, 480, 60.0)
    except SpecError as error:
        assert str(path) in str(error)
        return
    assert cameras
    for camera in cameras:
        assert camera.width > 0 and camera.height > 0 and math.isfinite(camera.fx) and camera.fx > 0
        assert all(math.isfinite(v) for v in camera.position)
        assert "/" not in camera.name and ".." not in camera.name


@FILES
@given(st.binary(max_size=200))
def test_a_rig_file_of_any_bytes_is_read_or_refused(tmp_path, data):
    path = tmp_path / "rig.yaml"
    path.write_bytes(data)
    with pytest.raises(SpecError):
        cameras_from_rig(path, 640, 480, 60.0)


@functools.cache
def builtin_document() -> str:
    return builtin_reference_path().read_text()


def _paths(document: object, prefix: tuple = ()) -> list[tuple]:
    """Every key path into a JSON document (up to a depth, and a few items per list)."""
    if len(prefix) > 4:
        return []
    found = [prefix] if prefix else []
    if isinstance(document, dict):
        for key, value in document.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(document, list):
        for index, value in enumerate(document[:2]):
            found += _paths(value, (*prefix, index))
    return found


# A reference file is 1 MB of JSON, read whole each time: fewer examples.
@settings(FILES, max_examples=40)
@given(st.data())
def test_a_damaged_reference_file_is_refused_with_a_reason(tmp_path, data):
    document = json.loads(builtin_document())
    paths = _paths(document)
    for path in data.draw(st.lists(st.sampled_from(paths), min_size=1, max_size=3)):
        parent = document
        try:
            for key in path[:-1]:
                parent = parent[key]
            if data.draw(st.booleans(), label="remove"):
                del parent[path[-1]]
            else:
                parent[path[-1]] = data.draw(VALUES, label="value")
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change removed or replaced the way there
    file = tmp_path / "reference.json"
    file.write_text(json.dumps(document))
    try:
        reference = load_reference(file)
    except ReferenceError as error:
        assert str(error)
        return
    # A change that keeps the file loadable must leave what the hash covers as it was.
    assert reference.content_hash == json.loads(builtin_document())["content_hash"]


@FILES
@given(st.binary(max_size=300))
def test_a_reference_file_of_any_bytes_is_refused(tmp_path, data):
    file = tmp_path / "reference.json"
    file.write_bytes(data)
    with pytest.raises(ReferenceError):
        load_reference(file)


@FILES
@given(VALUES | st.fixed_dictionaries({"nodes": st.lists(VALUES, max_size=3)}))
def test_a_node_graph_gives_nodes_or_is_refused(tmp_path, graph):
    path = tmp_path / "graph.yaml"
    path.write_text(yaml.safe_dump(graph))
    try:
        nodes = load_graph(path)
    except GraphError as error:
        assert str(path) in str(error)
        return
    assert nodes and all(node.package and node.executable for node in nodes)


def _argv(data: bytes) -> str:
    """A command-line argument as Python receives it (bytes that are not UTF-8 as
    surrogates)."""
    return data.decode("utf-8", "surrogateescape")


@settings(max_examples=EXAMPLES * 2, deadline=None)
@given(st.binary(max_size=120).map(_argv) | st.text(max_size=120))
def test_any_question_is_screened_and_made_sendable(question):
    text = readable_text(question)
    text.encode("utf-8")  # a ROS string message carries it
    answer = screen_question(text)
    assert answer is None or (answer and answer.encode("utf-8"))


@pytest.fixture(scope="module")
def coach(tmp_path_factory):
    from squat_feedback.coach_factory import build_coach
    from squat_feedback.feedback_settings import FeedbackSettings

    made = build_coach(FeedbackSettings(qdrant_path=tmp_path_factory.mktemp("qdrant")))
    yield made
    made.close()


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=80).map(_argv) | st.text(max_size=80))
def test_any_question_gets_an_answer_citing_only_documents_it_has(coach, question):
    answer = coach.chain.ask(question)
    assert answer.text and answer.text.encode("utf-8")
    known = set(coach.chain.documents)
    assert set(answer.sources) <= known
    hits = coach.chain.index.search(question, 3)
    assert len(hits) <= 3 and all(math.isfinite(hit.score) for hit in hits)


def test_the_builtin_reference_and_graph_load():
    # The generators above start from these: both must be valid as shipped.
    assert load_reference(builtin_reference_path()).content_hash == (
        json.loads(builtin_document())["content_hash"])
    from squat_bringup.graph import default_graph_file

    assert load_graph(Path(default_graph_file()))


ANY_FLOAT = st.floats(allow_nan=True, allow_infinity=True)
KNOWN_CODES = ("knee_valgus", "insufficient_depth", "forward_lean", "heel_lift",
               "lateral_shift", "fast_descent", "incomplete_lockout")


@st.composite
def rep_contexts(draw):
    """What a RepSummary on squat/rep can carry: any numbers, known and unknown codes."""
    from squat_feedback.rep_context import Deviation, FaultFinding, RepContext

    faults = tuple(FaultFinding(draw(st.sampled_from(KNOWN_CODES) | st.text(max_size=30)),
                                draw(ANY_FLOAT), draw(ANY_FLOAT), draw(st.text(max_size=8)),
                                draw(st.integers(0, 255)))
                   for _ in range(draw(st.integers(0, 4))))
    deviations = tuple(Deviation(draw(st.text(max_size=20)), draw(st.text(max_size=10)),
                                 draw(ANY_FLOAT)) for _ in range(draw(st.integers(0, 3))))
    return RepContext(draw(st.integers(0, 2**32 - 1)), *(draw(ANY_FLOAT) for _ in range(6)),
                      faults=faults, deviations=deviations)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rep_contexts())
def test_any_rep_summary_gets_feedback_text_citing_only_documents_it_has(coach, rep):
    answer = coach.chain.feedback(rep)
    assert answer.text and answer.text.encode("utf-8")
    assert set(answer.sources) <= set(coach.chain.documents)
    assert "nan" not in answer.text.lower().split(), "an unmeasured number is not shown as nan"
