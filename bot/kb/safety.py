"""Checks that run before any retrieval: emergencies, requests for medical advice, other languages.

Rasa's intents catch these first; this is the second line, for messages that reach the
knowledge action through the NLU fallback.
"""
from __future__ import annotations

import re

EMERGENCY_NUMBER = "120"

_EMERGENCY = re.compile(
    r"chest pain|can'?t breathe|cannot breathe|not breathing|stopped breathing|trouble breathing|short(ness)? of breath|"
    r"heart attack|(having|had|has) a stroke|stroke (symptoms|signs)|unconscious|passed out|not waking|fainted|seizure|heavy bleeding|bleeding (heavily|a lot|badly)|"
    r"overdos|poison|suicid|kill (myself|himself|herself)|end my life|choking|anaphyla|severe(ly)? (burn|allergic)|"
    r"(it'?s|this is) an emergency|medical emergency|ambulance|dying",
    re.IGNORECASE,
)
_MEDICAL_ADVICE = re.compile(
    r"what (medicine|medication|drug|pill)s? (should|can|do) i|should i take|how (much|many) .{0,30}(should|can) (i|we) (take|give|use)|"
    r"dos(e|age) of|diagnos(e|is) (me|my)|do i have|is (it|this|my) .{0,30}(serious|dangerous|cancer|normal)|"
    r"what('s| is) wrong with me|treat my|cure (my|for)|prescri(be|ption)|side effects|"
    r"\bshould i (get|have|take|do|see|go|stop|start|worry)\b|\bis it safe (to|for)\b|\bis it (normal|dangerous|serious)\b|"
    r"\bwhat does (a |an |my )?(high|low|elevated|abnormal) .{0,30}mean|\bmy (symptoms|test results|results|blood test|scan results)\b|"
    r"\b(do|should|would|will) i need\b|\bwhat could (it|this|that) be\b|\bblood in (my )?(stool|urine|poo)\b|"
    r"\bis (a|an|my|this|it|that)\b.{0,40}\b(always|usually)? ?(cancer|cancerous|dangerous|serious|normal|malignant|benign|contagious)\b|"
    r"\bmy \w+ (showed|shows|found|says|said)\b|\b(i|my (child|son|daughter|wife|husband|mother|father|baby)) (have|has|had|got) (a |an )?\w+ (pain|ache|fever|rash|lump|cough)",
    re.IGNORECASE,
)
_APPOINTMENT = re.compile(
    r"\b(book|schedule|reschedule|cancel|make|get|arrange)\b.{0,25}\b(appointment|consultation|visit|slot|registration)\b|"
    r"\b(book|schedule) me\b|"
    r"\b(reschedule|re-schedule)\b|\bbook (me |a |an )|\bappointment\b|\bappts?\b|"
    r"\b(move|change|cancel|postpone|push back) my (\w+ ){0,2}(appointment|appt|visit|scan|mri|ct|x-ray|surgery|operation|check-?up|test)\b",
    re.IGNORECASE,
)
# Han, kana, hangul, Cyrillic, Arabic, Thai, Devanagari: scripts the English pages cannot be asked in.
_FOREIGN_SCRIPT = re.compile(r"[\u0400-\u04ff\u0600-\u06ff\u0900-\u097f\u0e00-\u0e7f\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")

EMERGENCY_REPLY = (
    "If this is an emergency, call 120 (China's emergency medical number) now or go to the nearest "
    "emergency department. I'm an information assistant and can't help with urgent medical problems."
)
MEDICAL_ADVICE_REPLY = (
    "I can't give medical advice, diagnoses or medication guidance. Please see a doctor; the hospitals' "
    "outpatient clinics can help. In an emergency, call 120."
)
APPOINTMENT_REPLY = (
    "I can't book, change or cancel appointments. Appointments are usually made through the hospital's "
    "official website, app or phone line, or at the hospital's registration desk."
)
ENGLISH_ONLY_REPLY = (
    "Sorry, I can only answer in English for now. Please ask your question in English. "
    "(目前仅支持英文提问。)"
)


def is_emergency(text: str) -> bool:
    return bool(_EMERGENCY.search(text))


def wants_medical_advice(text: str) -> bool:
    return bool(_MEDICAL_ADVICE.search(text))


def wants_appointment(text: str) -> bool:
    return bool(_APPOINTMENT.search(text))


def is_foreign_script(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return False
    foreign = sum(1 for c in letters if _FOREIGN_SCRIPT.match(c))
    return foreign / len(letters) > 0.3
