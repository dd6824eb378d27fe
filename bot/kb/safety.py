"""Checks that run before any retrieval: emergencies, requests for medical advice, other languages.

Rasa's intents catch these first; this is the second line, for messages that reach the
knowledge action through the NLU fallback.
"""
from __future__ import annotations

import re

EMERGENCY_NUMBER = "120"

_EMERGENCY = re.compile(
    # breathing and the heart
    r"chest pain|crushing (pain|chest)|heart attack|cardiac arrest|heart (has )?stopped|no pulse|"
    r"can'?t breathe?|can ?not breathe?|not breathing|isn'?t breathing|stopped breathing|"
    r"chest (hurts|is hurting)|(pain|hurts?|numb)\b.{0,40}\b(left|right) arm|(left|right) arm .{0,20}(numb|hurts|pain)|(trouble|difficulty|struggling) (to )?breath|"
    r"hard to breathe|short(ness)? of breath|gasping|choking|throat (is )?(swelling|closing)|"
    # stroke signs, collapse, fits
    r"(having|had|has) a stroke|stroke (symptoms|signs)|face (is |has )?(drooping|droopy|dropped)|drooping face|"
    r"slurr(ed|ing)|face .{0,20}(fall|fell|fallen|droop)|talk(s|ing)? (strange|funny|weird)|"
    r"(one|left|right) side of (his|her|my|their) (body|face)|"
    r"unconscious|unresponsive|not wake up|won'?t wake up|(\bis|'s|\band) not responding|isn'?t responding|shaking all over|passed out|blacked out|collapsed|not waking|(can'?t|won'?t) wake|fainted|"
    r"turn(ed|ing)? blue|(lips|face) (are |is |went |gone )?blue|seizure|convuls|having a fit|"
    # bleeding, injuries
    r"heavy bleeding|bleeding (heavily|a lot|badly|from (the|his|her|my) (head|neck|chest))|(a lot|lots|so much) of blood|"
    r"cut (his|her|my|their) (wrists?|throat)|(vomiting|throwing up|coughing|spitting) (up )?blood|(won'?t|will not|doesn'?t|does not|can'?t) stop (the )?bleeding|"
    r"(bleeding|blood)\b.{0,30}\b(won'?t|wont|will not|doesn'?t|does not|not) stop|blood (is )?(spurting|pouring|gushing)|(losing|lost) (a lot of |so much )?blood|blood everywhere|"
    r"(coughing|vomiting|throwing) up blood|hit by a (car|bus|truck|lorry|motorbike|scooter)|car (crash|accident)|"
    r"stabbed|been shot|gunshot|drown|electrocut|head injury|broken neck|"
    r"\b(is|are|got|been|just) (badly |severely )?burn(ed|t)\b|\bburn(ed|t) (himself|herself|myself|themselves)\b|"
    r"\b(has|have|got) (severe |bad )?burns\b|severe allergic|anaphyla|"
    r"\b(boiling|scalding|hot) (water|oil|soup)\b.{0,40}\b(over|on|onto|all over)\b|\bskin (is )?(coming|peeling|falling) off\b|"
    # poisoning and self-harm
    r"overdos|poison(ed|ing)?\b(?! (control )?(center|centre|unit))|too many (of (my|his|her|the|their) )?(\w+ )?(pills|tablets|painkillers|meds)|"
    r"(ate|eaten|swallowed|took|taken|got into) (some|all|a handful) of (my|his|her|the|our) (\w+ )?(pills|tablets|medicine|medication)|"
    r"(took|taken|take|swallow|swallowed|ate|eaten) (a |an )?(whole|entire|full) (bottle|pack|packet|box|strip)|"
    r"swallowed (a |an |some |the |his |her )?(battery|batteries|button battery|bleach|pills|tablets|poison|magnets?|coin|detergent|chemicals?)|"
    r"drank (some )?(bleach|poison|detergent|antifreeze)|"
    r"(drank|drunk|swallowed|ate|eaten|ingested) (some |a |an |the |his |her |my )?(\w+ )?(cleaning|cleaner|washing|laundry|dishwasher|"
    r"toilet|drain|oven|window) ?(liquid|fluid|product|stuff|powder|pods?|tablets?|cleaner|spray)?\b|"
    r"(drank|drunk|swallowed|ingested) (some |a |the )?(pesticide|weed ?killer|rat poison|insecticide|kerosene|petrol|"
    r"gasoline|paint thinner|lighter fluid|methanol|mouthwash|nail polish remover)|"
    r"suicid|kill (myself|himself|herself)|end my life|take my (own )?life|want(s)? to die|wanna die|"
    r"(hurt|cut|harm)(ing)? (myself|himself|herself)|self[- ]harm|(don'?t|do not) want (to )?live|end it (all|tonight|today|now)|"
    # more signs people describe in their own words
    r"hit (his|her|my|their) head|not making sense|foaming at the mouth|stiff neck|"
    r"(bitten|bit) by a (snake|dog|spider)|snake ?bite|can'?t feel (his|her|my|their) (legs|arms|body|face)|"
    r"\b(is|are|got|been) trapped\b|worst headache|sudden(ly)? (can'?t|cannot) see|(grey|gray) and clammy|\bclammy\b|"
    r"pain in (his|her|my|their) jaw|(fell|fallen|falling) (off|from|out of) (the |a |his |her |my )?(roof|ladder|balcony|window|"
    r"bridge|tree|height|building|horse|bike|motorbike)|asthma attack|inhaler (isn'?t|is not|not|doesn'?t) (working|help)|"
    r"(lips|tongue|face|throat) (are |is )?swell(ing|ed|en)|(bee|wasp|hornet) sting|"
    r"(took|taken|swallowed) (a lot of|lots of|loads of) (pills|tablets|meds)|pills (and|with) (alcohol|booze|vodka|wine)|"
    r"(and|but) (can'?t|cannot|won'?t) move\b|\b(is|went|gone) (limp|floppy)\b|won'?t (feed|eat or drink)|gagging|"
    r"(can'?t|cannot) (talk|speak)\b|thoughts of (killing|hurting|harming) (myself|himself|herself)|killing myself|"
    r"smoke (everywhere|inhalation)|house (is )?on fire|chest (tightness|is tight)|tight chest|"
    r"(can'?t|cannot) catch (his|her|my|their) breath|(broken|fractured) (hip|leg|neck|back|skull)|hip looks broken|in agony|"
    # said outright
    r"(it'?s|this is) an emergency|medical emergency|ambulance|\bdying\b|(waters?|water) (has |have )?(just )?(broken|broke)|"
    r"baby is coming|(fell|fallen) (in|into) (the |a )?(pool|river|lake|water)|"
    r"(pregnant|pregnancy).{0,60}(bleeding|severe pain)|bleeding.{0,30}pregnan",
    re.IGNORECASE,
)
# Questions about a facility ("the stroke centre", "the poison unit") are not emergencies themselves.
_FACILITY = re.compile(r"\b(stroke|chest pain|trauma|burns?|poison(ing)?) (center|centre|unit|ward|department|dept)\b", re.IGNORECASE)
_MEDICAL_ADVICE = re.compile(
    r"what (medicine|medication|drug|pill)s? (should|can|do) i|should i take|how (much|many) .{0,30}(should|can) (i|we) (take|give|use)|"
    r"dos(e|age) of|diagnos(e|is) (me|my)|do i have(?! to\b)|is (it|this|my) .{0,30}(serious|dangerous|cancer(?!\s*(cent(er|re)|institute|hospital|department|dept|research|programs?|unit|ward|surgery|specialists?|clinic)\b)|normal)|"
    r"what('s| is) wrong with me|treat my|cure (my|for)|prescri(be|ption)|side effects|"
    r"\bis it (normal|dangerous|serious)\b|"
    r"\bwhat does (a |an |my )?(high|low|elevated|abnormal) .{0,30}mean|\bmy (symptoms|test results|results|blood test|scan results)\b|"
    r"\bwhat could (it|this|that) be\b|\bblood in (my )?(stool|urine|poo)\b|"
    r"\bis (a|an|my|this|it|that)\b.{0,40}\b(always|usually)? ?(cancer(?!\s*(cent(er|re)|institute|hospital|department|dept|research|programs?|unit|ward|surgery|specialists?|clinic)\b)|cancerous|dangerous|serious|normal|malignant|benign|contagious)\b|"
    r"\bmy (doctor|doc|gp|physician|surgeon|specialist|consultant|nurse|dentist|oncologist|cardiologist|scan|test|tests|results?|report|x-?ray|mri|ct|ultrasound|biopsy|blood test|labs?) (showed|shows|found|says|said)\b|"
    
    r"\bis (the |my |his |her )?(cancer|tumou?r)\b.{0,10}\b(back|spread|gone|growing)\b|"
    r"\bdo(es)? my \w+ need\b|"
    r"\bwhat (disease|illness|condition|problem) (do )?(i|he|she|my \w+) (have|has|got)\b|"
    r"\b(better|best|right) (for|treatment for) (me|him|her|my \w+)\b|\b(better|worse|safer|riskier) than\b.{0,40}\bfor (me|him|her|us|my \w+)\b|\bhow (much|many) \w+ (i|we) (can|should) (take|give|use)\b|"
    r"\bwhat('s| is) the best (treatment|medicine|cure|therapy) for\b|\bhow (do|can|should) (i|we) (treat|cure|get rid of)\b|"
    r"\bwhat (causes|caused)\b|\bsymptoms? of\b|\bcan (it|this|that|my \w+) be cured\b|\bhow long (does|will) (the )?recovery\b|"
    r"\bis (surgery|an operation|chemo\w*|radiotherapy) (necessary|needed|required|the only option)\b|"
    r"\b(which|what) (medicine|medication|drug|antibiotic|painkiller)s? (for|should|can|do)\b|"
    r"\b(i|my (child|son|daughter|wife|husband|mother|father|baby)) (have|has|had|got) (a |an )?\w+ (pain|ache|fever|rash|lump|cough)|"
    r"\bis (that|this|it) (bad|ok|okay|too high|too low|high|low|worrying|concerning)\b(?! (to|if)\b)|\bshould i worry\b|"
    r"\bis \d+(\.\d+)? (fever|temperature|degrees)|\b(fever|temperature|blood pressure|sugar|cholesterol|lesion|cyst|lump|rash) "
    r".{0,30}\b(dangerous|harmful|serious|bad|normal|worrying)\b|\b(dangerous|harmful|safe|safer|risky) for (my |a |an |the )?"
    r"(toddler|baby|child|kid|mum|mom|dad|pregnant|elderly|\w+ year old)|"
    r"\b(do|does) (i|he|she|we|my \w+) (really )?need (a |an |the |to have (a |an )?)?(\w+ )?(colonoscopy|endoscopy|scan|test|biopsy|"
    r"operation|surgery|mri|ct|x-?ray|injection|vaccine|jab|medication|medicine|antibiotics|chemo\w*|stitches)\b|"
    r"\bhow (do|can) (i|we) (know|tell) (if|whether)\b|\bhow (do|can) (i|we) (lower|reduce|raise|increase|prevent|avoid)\b|"
    r"\bhow long (does|do|will) (he|she|they|i|my \w+) have\b|\bwhich is (safer|better|riskier) for (me|him|her|my \w+)\b|"
    r"\bcould (this|it|that|these|my) (\w+ )?be\b(?! (the|a|an|one of) )|\bshould (we|i) be (worried|concerned)\b|"
    r"\b(shows|showed|found|came back) (a |an )?(\w+ ){0,3}(positive|negative|abnormal|lesion|cyst|nodule|mass|shadow|tumou?r)\b|"
    r"\bhow long (should|do|does|will|must) (i|we|my \w+|he|she) (rest|recover|wait|heal|stay)\b|"
    r"\b(which|what) (medicine|medication|drug|antibiotic|painkiller|pill|cream|tablet)s? (is|are|works?|helps?)\b|"
    r"\bcan \w+( \w+)? be cured\b|\bwhat('s| is) (a )?normal (heart rate|blood pressure|temperature|weight|pulse|blood sugar)\b|"
    r"\b(i|my \w+|he|she) (keep|keeps|kept) (getting|having) (a |an |these |this |bad |really |bad |awful |terrible )?(\w+ )?"
    r"(pains?|aches?|headaches?|fevers?|infections?|rash(es)?|coughs?|nosebleeds?|migraines?|cramps?|dizzy|dizziness|sick|"
    r"nausea|bleeding|lumps?|spots?|chest|stomach|sore|tired|blood|attacks?|seizures?|palpitations|swelling|diarrh?o?ea|"
    r"vomiting|colds?|flu|uti|utis|ulcers?|blisters?|bruises?|numbness|tingling)\b|"
    r"\b(chemo\w*|radiotherapy|radiation|surgery|an operation|medication|injections?|physiotherapy|physio) or "
    r"(chemo\w*|radiotherapy|radiation|surgery|an operation|medication|medicine|injections?|physiotherapy|physio)\b",
    re.IGNORECASE,
)
# Wordings that ask for advice about anything ("can you recommend a hotpot place?", "what IELTS score do I
# need?"): advice only when the message is about health. The wordings above are medical by themselves.
_GENERIC_ADVICE = re.compile(
    r"\bshould i (get|have|take|do|see|go|stop|start|worry)\b|\bis it safe (to|for)\b|"
    r"(?<!visa )(?<!visas )(?<!documents )(?<!papers )(?<!insurance )\b(do|should|would|will) i (really |actually |definitely )?need\b"
    r"(?!.{0,20}\b(visa|passport|referral|ticket|id|insurance|letter|translator|interpreter)\b)|"
    r"\bis it (ok|okay|alright|all right|fine|bad) (to|if)\b|\bcan i (stop|start|take|mix|drink|eat|skip)\b|"
    r"\bshould (i|my \w+|he|she|we) (get|have|take|do|go|try|choose)\b|\b(what )?(would|do|can) you recommend\b|"
    r"\bworth it\b|\b(does|would|could) (that|this|it) mean\b|\bwhat (should|can) i (eat|drink|do|take|use)\b|"
    r"\bwhat (does )?(that|this|it) means?\b|\bhow often should (i|a|an|my|we)\b|\b(can|should|could) (i|we|he|she) (just )?wait\b",
    re.IGNORECASE,
)
_HEALTH = re.compile(
    r"\b(pains?|painful|aches?|aching|hurts?|hurting|sore|fever|temperature|cough\w*|colds?|flu|rash|lumps?|swollen|swelling|"
    r"bleed\w*|blood|sick|ill|illness|disease|infect\w*|symptoms?|diagnos\w*|cancer|tumou?rs?|diabet\w*|pressure|heart|"
    r"chest|stomach|belly|tummy|knee|headaches?|migraines?|pregnan\w*|baby|birth|surgery|operations?|chemo\w*|radiotherapy|"
    r"treatments?|treat|therapy|medications?|meds|drugs?|pills?|tablets?|dose|dosage|antibiotics?|painkillers?|"
    r"ibuprofen|paracetamol|aspirin|vaccin\w*|jabs?|scans?|mri|ct|x-?rays?|biopsy|colonoscopy|endoscopy|test results?|"
    r"doctors?|gp|specialists?|surgeons?|physicians?|dentists?|teeth|tooth|eyes?|skin|bowel|colon|hemorrhoids?|haemorrhoids?|"
    r"piles|constipat\w*|diarrh\w*|vomit\w*|nause\w*|dizz\w*|tired|fatigue|weight|diet|allerg\w*|asthma|anxiety|"
    r"depress\w*|insomnia|injur\w*|wounds?|fractures?|broken|sprain\w*|recover\w*|heal\w*|stitches|fasting|alcohol|"
    r"smok\w*|covid|virus|hpv|contracept\w*|periods?|menstrua\w*|ivf|fertility|mental|rehab\w*|physio\w*|health|"
    r"checkup|check-up|screening|ultrasound|polyps?|ulcers?|hernia|stent|transplant|dialysis|kidneys?|liver|"
    r"gallbladder|appendix|thyroid|nodules?|prostate|psa|lungs?|breasts?|uterus|womb|ovar\w*|bladder|spine|joints?|bones?|hips?|"
    r"replacement|removal|removed|implants?|braces|pregnancy|labou?r|newborn|toddler|child|kid|son|daughter|mum|mom|dad|"
    r"father|mother|grandma|grandpa|husband|wife)\b",
    re.IGNORECASE,
)
_APPOINTMENT = re.compile(
    r"\b(book|schedule|reschedule|cancel|make|get|arrange)\b.{0,25}\b(appointment|consultation|visit|slot|registration)\b|"
    r"\b(book|schedule|register|sign) me\b|"
    r"\b(change|move|cancel) my (registration|booking|reservation)\b|\b(next|earliest|first) available\b|"
    r"\b(get|grab|take) (me )?a (queue |registration )?(number|ticket)\b|\bregist(er|ration) (me )?(for|with|at)\b|"
    r"\bsee (dr|doctor|prof|professor)\.? \w+ (on|at|tomorrow|today|next|this)\b|\bsign (me )?up (for|with)\b|\breserve\b|\bfree slots?\b|\bslots? (with|for|at)\b|挂号|预约|"
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


SAFETY_REPLIES = {"emergency": EMERGENCY_REPLY, "medical_advice": MEDICAL_ADVICE_REPLY, "appointment": APPOINTMENT_REPLY}


def is_emergency(text: str) -> bool:
    match = _EMERGENCY.search(text)
    return bool(match) and not (_FACILITY.search(text) and not re.search(r"\b(my|our|his|her|someone|he|she|i)\b", text, re.IGNORECASE))


def category(text: str) -> str | None:
    """Which safety reply a message needs, if any, in the order they take precedence."""
    if is_emergency(text):
        return "emergency"
    if wants_medical_advice(text) and not _asks_about_the_hospitals_after_a_story(text):
        return "medical_advice"
    if wants_appointment(text):
        return "appointment"
    return None


def _asks_about_the_hospitals_after_a_story(text: str) -> bool:
    """"My GP says I should see an expert. Is there a well-known ultrasound professor at SAHZU?": the
    health story comes first, and the question asked is about the hospitals, not about the visitor's health."""
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]
    last = sentences[-1] if sentences else ""
    return (len(sentences) > 1 and is_knowledge_question(last) and not wants_medical_advice(last)
            and bool(_ABOUT_THE_PLACES.search(last)))


# A question about the hospitals names them, or their people and parts ("which is better?" does not).
_ABOUT_THE_PLACES = re.compile(r"\b(hospitals?|hosp|departments?|dept|professors?|prof|experts?|clinics?|cent(er|re)s?|"
                               r"zju|zusm|sahzu|srrsh|fahzu|affiliated|campus(es)?|school|university|network)\b", re.IGNORECASE)


def wants_medical_advice(text: str) -> bool:
    return bool(_MEDICAL_ADVICE.search(text)) or bool(_GENERIC_ADVICE.search(text) and _HEALTH.search(text))


def wants_appointment(text: str) -> bool:
    return bool(_APPOINTMENT.search(text))


# A question about something ("how many are there?", "what's it good at?"), not about the assistant itself.
_QUESTION = re.compile(r"^\s*(and |so |ok |okay |then )?(how (many|much|big|old|long|large|up to date|recent|current|good|well|"
                       r"often|far|soon|come)|what|when|which|where|who|whose|"
                       r"does|do they|did|is (it|there|that|the|this|its|their)|are (there|they|the|its|their)|"
                       r"was (it|there|the)|were (they|there|the)|can (they|it)|will (it|they)|has|have they|any|"
                       r"(the )?(exact|approximate|total|rough) (number|figure|count|amount))\b", re.IGNORECASE)
_ABOUT_THE_ASSISTANT = re.compile(r"\b(you|your|yourself|u|ur|bot|assistant)\b|\bhow are\b|\bwhat'?s up\b", re.IGNORECASE)


def is_knowledge_question(text: str) -> bool:
    return len(text.split()) >= 2 and bool(_QUESTION.search(text)) and not _ABOUT_THE_ASSISTANT.search(text)


def is_foreign_script(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return False
    foreign = sum(1 for c in letters if _FOREIGN_SCRIPT.match(c))
    return foreign / len(letters) > 0.3
