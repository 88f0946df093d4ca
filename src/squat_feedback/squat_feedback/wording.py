"""How the coach words what it says, in each language: fault names, units, angles, phrases.

Numbers are written the same way in every language (rep_context.format_number); only the
words around them change. Korean units follow the number without a space, as Korean writes
them ("38.6도, 기준 10도"). Imports no rclpy.
"""

from __future__ import annotations

from dataclasses import dataclass

from squat_common import names


@dataclass(frozen=True)
class Wording:
    """Every word the template answers and the screen need, in one language."""

    faults: dict[str, str]
    # unit -> (word, joined to the number without a space)
    units: dict[str, tuple[str, bool]]
    not_measured: str
    measured_limit: str  # "{name} {value}, limit {threshold}"
    summary_names: tuple[str, str, str, str]  # lowest knee angle, descent, ascent, score
    # angle -> (what it is, what it did); phase -> where
    angles: dict[str, tuple[str, str]]
    phases: dict[str, str]
    deviation: str  # "{where} your {name} {verb} {amount} {more_or_less} than the reference"
    more_less: tuple[str, str]
    rep_label: str  # "Rep {index}:"
    clean_rep: str  # "{label} no fault found ({numbers}).{against} Keep it that way: {cue}"
    fault_line: str  # "- {measured}. Cue: {cue} Drill: {drill}"
    answer_cue: str  # "Cue: {cue}"
    see_also: str  # "See also: {title}"
    about_rep: str  # "About your last rep."
    nothing_found: str
    off_topic: str
    empty_question: str
    off_limits: str
    too_long: str  # "{length} ... {limit}"
    rep_question: str
    fault_query: str  # what the fault's document is searched with: "{name}: cues, ..."
    language_name: str


ENGLISH = Wording(
    faults={
        names.KNEE_VALGUS: "knee valgus (knees caving in)",
        names.INSUFFICIENT_DEPTH: "insufficient depth",
        names.FORWARD_LEAN: "forward trunk lean",
        names.HEEL_LIFT: "heel lift",
        names.LATERAL_SHIFT: "lateral shift",
        names.FAST_DESCENT: "fast descent",
        names.INCOMPLETE_LOCKOUT: "incomplete lockout",
    },
    units={"deg": ("deg", False), "s": ("s", False), "torso_lengths": ("torso lengths", False),
           "hip_widths": ("hip widths", False),
           "standing_knee_separation": ("of the standing knee separation", False)},
    not_measured="not measured",
    measured_limit="{name} {value}, limit {threshold}",
    summary_names=("lowest knee angle", "descent", "ascent", "score"),
    angles={"knee_flexion": ("knees", "bent"), "hip_flexion": ("hips", "bent"),
            "trunk_lean": ("trunk", "leaned"), "ankle_dorsiflexion": ("shins", "tilted"),
            "knee_valgus": ("knees", "caved in")},
    phases={"descent": "on the way down", "bottom": "at the bottom",
            "ascent": "on the way up"},
    deviation="{where} your {name} {verb} {amount} {more_or_less} than the reference",
    more_less=("more", "less"),
    rep_label="Rep {index}:",
    clean_rep="{label} no fault found ({numbers}).{against} Keep it that way: {cue}",
    fault_line="- {measured}. Cue: {cue} Drill: {drill}",
    answer_cue="Cue: {cue}",
    see_also="See also: {title}",
    about_rep="About your last rep.",
    nothing_found="The knowledge base has nothing on that yet; ask your trainer.",
    off_topic=("I only coach the squat: technique, the faults squat coach flags, mobility, "
               "tempo, breathing, safety and programming. Ask me about your squat."),
    empty_question=("Ask me about your squat: technique, a fault squat coach flagged, "
                    "mobility, tempo, breathing or safety."),
    off_limits=("I can only answer questions about squat technique and training from the "
                "squat coach knowledge base, and my instructions stay as they are. Ask me "
                "about your squat."),
    too_long="That question is {length} characters long; please ask in at most {limit}.",
    rep_question="Give feedback on this rep: what to fix first and how.",
    fault_query="{name}: cues, drills and causes",
    language_name="English",
)

KOREAN = Wording(
    faults={
        names.KNEE_VALGUS: "무릎 외반(무릎이 안으로 모임)",
        names.INSUFFICIENT_DEPTH: "깊이 부족",
        names.FORWARD_LEAN: "상체 앞 숙임",
        names.HEEL_LIFT: "뒤꿈치 들림",
        names.LATERAL_SHIFT: "좌우 쏠림",
        names.FAST_DESCENT: "너무 빠른 하강",
        names.INCOMPLETE_LOCKOUT: "끝까지 일어서지 않음",
    },
    units={"deg": ("도", True), "s": ("초", True), "torso_lengths": ("몸통 길이", False),
           "hip_widths": ("골반 너비", False),
           "standing_knee_separation": ("(서 있을 때 무릎 간격 대비)", False)},
    not_measured="측정 안 됨",
    measured_limit="{name} {value}, 기준 {threshold}",
    summary_names=("가장 낮은 무릎 각도", "내려가기", "올라오기", "점수"),
    angles={"knee_flexion": ("무릎이", "굽혀졌어요"),
            "hip_flexion": ("고관절이", "굽혀졌어요"),
            "trunk_lean": ("상체가", "숙여졌어요"),
            "ankle_dorsiflexion": ("정강이가", "기울었어요"),
            "knee_valgus": ("무릎이", "안으로 모였어요")},
    phases={"descent": "내려갈 때", "bottom": "바닥에서", "ascent": "올라올 때"},
    deviation="{where} {name} 기준 동작보다 {amount} {more_or_less} {verb}",
    more_less=("더", "덜"),
    rep_label="{index}번째 반복:",
    clean_rep="{label} 결함 없음 ({numbers}).{against} 지금처럼 하세요: {cue}",
    fault_line="- {measured}. 큐: {cue} 드릴: {drill}",
    answer_cue="큐: {cue}",
    see_also="함께 보기: {title}",
    about_rep="마지막 반복에 대해.",
    nothing_found="지식 베이스에 아직 그 내용이 없어요. 트레이너에게 물어보세요.",
    off_topic=("저는 스쿼트만 코칭해요: 기술, squat coach가 찾은 결함, 가동성, 템포, 호흡, 안전, "
               "프로그램. 스쿼트에 대해 물어보세요."),
    empty_question=("스쿼트에 대해 물어보세요: 기술, squat coach가 찾은 결함, 가동성, 템포, 호흡, "
                    "안전."),
    off_limits=("저는 squat coach 지식 베이스로 스쿼트 기술과 훈련에 대한 질문에만 답하고, 제 "
                "지침은 바뀌지 않아요. 스쿼트에 대해 물어보세요."),
    too_long="질문이 {length}자예요. {limit}자 이내로 물어봐 주세요.",
    rep_question="이번 반복에 대한 피드백: 무엇을 먼저, 어떻게 고칠까요.",
    fault_query="{name}: 큐, 드릴, 원인",
    language_name="Korean (한국어)",
)

WORDINGS = {"en": ENGLISH, "ko": KOREAN}


def wording(language: str) -> Wording:
    """The wording of `language` ('en' or 'ko')."""
    return WORDINGS[language]
