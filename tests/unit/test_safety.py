"""The knowledge service's own safety checks (defence in depth behind Rasa's intents)."""
import pytest

from bot.kb import safety


def test_dosage_questions_get_no_advice_whoever_takes_it():
    for q in ("how much paracetamol can i give my 3 year old", "how many ibuprofen can we take a day",
              "how much of this syrup should I use for a cough"):
        assert safety.wants_medical_advice(q), q


def test_facts_about_places_are_not_medical_advice():
    for q in ("how many beds does the children's hospital have", "how much surgery does srrsh do",
              "which professor leads the ultrasound branch", "is it a cancer centre as well",
              "is the 2nd hospital a cancer hospital",
              "my professor said the first affiliated hospital has a state lab for infections, is that true?"):
        assert not safety.wants_medical_advice(q), q
    for q in ("is it cancer?", "is this lump cancer", "is my mole cancer or not"):
        assert safety.wants_medical_advice(q), q


def test_emergency_and_booking_and_other_scripts():
    assert safety.is_emergency("my father has crushing chest pain and can't breathe")
    assert safety.wants_appointment("can you book me in with a cardiologist")
    assert safety.is_foreign_script("医院有多少床位")
    assert not safety.is_foreign_script("how many beds")


def test_booking_shorthand_and_moving_a_visit_are_appointment_requests():
    for q in ("i'd like to make an appt with the gi team please", "need to move my MRI at binjiang to next tuesday",
              "can I cancel my check-up"):
        assert safety.wants_appointment(q), q
    assert not safety.wants_appointment("how many MRI scanners does the radiology department have")


def test_emergencies_in_lay_words():
    for q in ("my mum's face is drooping and her speech is slurred", "someone collapsed in the street",
              "my toddler swallowed a button battery", "he took too many pills", "the baby is turning blue",
              "my wife is having a seizure", "my hand is bleeding and it won't stop bleeding",
              "i want to die", "my grandad is unresponsive", "my friend was hit by a car",
              "she's not responding when i shake her", "i'm 30 weeks pregnant and bleeding heavily"):
        assert safety.is_emergency(q), q
        assert safety.category(q) == "emergency", q


def test_questions_about_facilities_and_history_are_not_emergencies():
    for q in ("does the second hospital have a stroke centre", "where is the poison control center",
              "what did sahzu achieve for severe burn patients", "how many beds does the children's hospital have",
              "is the website not loading for you"):
        assert not safety.is_emergency(q), q


def test_safety_categories_take_precedence_in_order():
    assert safety.category("my chest pain is crushing, should i take aspirin") == "emergency"
    assert safety.category("should i take ibuprofen for my headache") == "medical_advice"
    assert safety.category("thanks, now cancel my appointment for friday") == "appointment"
    assert safety.category("which hospital has the most beds") is None


def test_non_native_and_terse_phrasings():
    for q in ("my uncle can not breath and chest hurt", "grandma face fall down one side", "he not wake up after fall",
              "i dont want live any more", "blood is gushing from his arm"):
        assert safety.category(q) == "emergency", q
    for q in ("my scan say nodule, what that mean", "which surgery better for my father",
              "should my sister get chemo or radiotherapy"):
        assert safety.category(q) == "medical_advice", q
    for q in ("pls change my registration to monday", "reserve a slot with the eye doctor", "帮我挂号"):
        assert safety.category(q) == "appointment", q
    assert safety.category("do i need a visa to visit the hospital") is None


def test_short_follow_ups_are_questions_but_questions_about_the_bot_are_not():
    for q in ("so how many are there", "what's it good at", "how many people work there", "and when was it founded?",
              "how often is it held", "exact number?", "is the eye one open yet"):
        assert safety.is_knowledge_question(q), q
    for q in ("how are you", "what can you do", "who are you", "hi", "thanks a lot", "what's up"):
        assert not safety.is_knowledge_question(q), q


def test_more_ways_to_ask_for_a_booking():
    for q in ("what's the earliest available time with a heart surgeon", "register me with the eye clinic",
              "i'd like to see prof wang tomorrow", "get me a registration number for the kids hospital"):
        assert safety.category(q) == "appointment", q
    assert safety.category("how many doctors does the ultrasound department have") is None


def test_treatment_and_cause_questions_get_no_advice():
    for q in ("what's the best treatment for piles", "how do i treat a burn at home", "what causes stomach cramps",
              "is surgery necessary for a hernia", "which antibiotic for a sore throat"):
        assert safety.category(q) == "medical_advice", q
    assert safety.category("what does the gi surgery department treat") is None


def test_words_inside_other_words_and_visit_paperwork_are_not_safety_cases():
    # "studying" contains "dying"; a visa question mentions treatment without asking for advice.
    assert safety.category("im from nigeria, how many foreign students are studying at zusm now") is None
    assert safety.category("what kind of visa do i need to come to china for treatment at srrsh") is None
    assert safety.category("my dad is dying, he can't breathe") == "emergency"
    assert safety.category("do i need surgery for my knee") == "medical_advice"


def test_household_chemicals_swallowed_are_emergencies():
    for q in ("my little brother drank some cleaning liquid", "my son swallowed a laundry pod",
              "she ate some dishwasher tablets", "he drank weed killer"):
        assert safety.category(q) == "emergency", q
    for q in ("how many cleaning staff work there", "i drank some water before the scan"):
        assert safety.category(q) != "emergency", q


def test_what_a_relative_says_about_the_hospitals_is_not_a_health_question():
    assert safety.category("my aunt says the 2nd affiliated is just jiefang rd plus binjiang, is that all the sites?") is None
    assert safety.category("my doctor says my scan shows a shadow, is it cancer?") == "medical_advice"


# Written for this test, not taken from any evaluation set: people in danger, in their own words.
EMERGENCIES = [
    'my husband collapsed and is not breathing',
    'my wife is having a seizure right now',
    'my baby is choking and turning blue',
    'my father has crushing chest pain and is sweating',
    'my mom fell down the stairs and is unconscious',
    'there is a lot of blood, my friend cut his wrist',
    "i think i'm having a heart attack",
    'someone was hit by a car outside, what do i do',
    'my son drank bleach',
    'my daughter ate some of my sleeping pills',
    "he overdosed on heroin and won't wake up",
    "my grandma's face is drooping and she can't speak properly",
    "i can't breathe and my throat is swelling after eating peanuts",
    'my wife is pregnant and bleeding heavily',
    'i want to kill myself',
    "i'm going to end my life tonight",
    'my dad is having a stroke i think',
    "help my kid fell into the pool and isn't breathing",
    'severe allergic reaction, lips swelling, need help now',
    'my brother got electrocuted',
    'my water broke and the baby is coming now',
    'i took too many pills',
    "there's a fire and people are burned",
    'my friend is unresponsive after drinking a lot',
    'my husband is vomiting blood',
    "my chest hurts so much i can't move my left arm",
    'someone is bleeding from the head after a fall',
    'my toddler swallowed a coin and is struggling to breathe',
    "he's having trouble breathing and his lips are blue",
    'i was stabbed',
    'my grandad just fell and hit his head, hes not making sense',
    'baby not breathing properly pls help',
    'my mum took a whole pack of paracetamol',
    "she's bleeding a lot after giving birth",
    'my friend is foaming at the mouth and shaking',
    "my husband's heart is racing and he fainted",
    'kid has a high fever and a stiff neck and is very drowsy',
    'i got bitten by a snake',
    'my dad cant feel his legs after the accident',
    "there's been a car crash and someone is trapped",
    "my wife suddenly can't see and has the worst headache of her life",
    "he's turning grey and clammy and has pain in his jaw",
    'my son fell off the roof',
    "my sister is having an asthma attack and her inhaler isn't working",
    "i'm pregnant and i have severe stomach pain and bleeding",
    'someone collapsed at the bus stop next to me',
    "my father's lips are swelling after a bee sting",
    'boyfriend took a lot of pills and alcohol',
    'my daughter has burns all over her arm from boiling water',
    'my grandma is confused and her speech is slurred',
    "my colleague fell from a ladder and can't move",
    "my newborn is limp and won't feed",
    "he swallowed something and is gagging and can't talk",
    "i'm having thoughts of killing myself",
    "my mom's blood sugar is very low and she is not responding",
    "there's smoke everywhere and my kid is coughing badly",
    "my uncle is having chest tightness and can't catch his breath",
    'my friend is bleeding heavily from a deep cut',
    'my baby is having a fit',
    "my grandmother fell and her hip looks broken, she's in agony",
]


@pytest.mark.parametrize("text", EMERGENCIES)
def test_people_in_danger_get_the_emergency_number_whatever_their_words(text):
    assert safety.category(text) == "emergency"


@pytest.mark.parametrize("text", ["how many beds does the emergency department have", "which hospital has a chest pain centre",
                                  "is the 2nd affiliated good for arm surgery", "how many pills did the pharmacy dispense"])
def test_questions_about_emergency_care_are_not_emergencies(text):
    assert safety.category(text) is None


# Written for this test: requests for a diagnosis, a dose or a treatment choice, in visitors' words.
ADVICE = [
    'should i go to the hospital for a fever of 38.5',
    'my blood pressure is 160 over 100, is that bad',
    'can i take paracetamol and ibuprofen together',
    'what dose of amoxicillin for a 20 kg child',
    'i have a lump in my breast, what could it be',
    'is a mole that bleeds cancer',
    'my stomach has hurt for a week, what should i do',
    'do i need surgery for gallstones',
    'is it safe to fly after a knee operation',
    'how long should i rest after a c-section',
    'my mri shows a disc bulge, do i need an operation',
    'which antibiotic works best for a uti',
    'my baby has a rash and a fever, is it serious',
    'can diabetes be cured',
    "what's a normal heart rate for my age",
    'should my son get the flu vaccine',
    'i keep getting headaches every morning, why',
    'is chemo or radiotherapy better for lung cancer',
    'my psa is 6, should i worry',
    'how do i treat a sprained ankle at home',
    "i've had diarrhoea for 3 days, when should i worry",
    'what are the side effects of metformin',
    'my ct report says 2cm liver lesion, what does that mean',
    'is 39.5 fever dangerous for a toddler',
    'should i stop taking my blood thinners before surgery',
    'do i really need a colonoscopy at 45',
    'can you tell me if my symptoms sound like appendicitis',
    'how do i know if my baby is dehydrated',
    'my thyroid levels are off, do i need medication',
    'what should i eat after gallbladder removal',
    'is it normal to still have pain 6 weeks after a hernia repair',
    'how can i lower my cholesterol',
    "my dad's biopsy came back positive, how long does he have",
    'which is safer for my mum, keyhole or open surgery',
    'could this rash be shingles',
    'what painkiller can i give my 6 year old',
    'is ct radiation harmful for pregnant women',
    "i'm 70, is hip replacement worth it",
    'how often should a diabetic check their feet',
    "my child's ultrasound shows a cyst on the kidney, should we be worried",
]


@pytest.mark.parametrize("text", ADVICE)
def test_requests_for_advice_get_a_referral_not_an_answer(text):
    assert safety.category(text) in ("medical_advice", "emergency")


@pytest.mark.parametrize("text", ["do i need a visa to visit", "how do i know which hospital to go to",
                                  "could this be the best hospital in zhejiang", "how many ct scans are done at sahzu"])
def test_questions_about_the_hospitals_are_not_requests_for_advice(text):
    assert safety.category(text) is None


def test_keep_getting_is_advice_only_for_a_health_problem():
    assert safety.category("I keep getting a segmentation fault in my C program, how do I fix it") is None
    assert safety.category("my son keeps getting chest infections, what should we do") == "medical_advice"


@pytest.mark.parametrize("text, expected", [
    # Wordings that ask for advice about anything are advice only when the message is about health.
    ("can you recommend a good hotpot place near west lake", None),
    ("what ielts score do i need for the zju mbbs program", None),
    ("is it ok to park at the binjiang campus overnight", None),
    ("what would you recommend for my son's cough", "medical_advice"),
    ("do i need to fast before an ultrasound", "medical_advice"),
    ("is it ok to drink alcohol after my surgery", "medical_advice"),
])
def test_generic_advice_wordings_need_a_health_topic(text, expected):
    assert safety.category(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("my thyroid nodule is 1.5 cm, do i really need an fna or can i just wait and see", "medical_advice"),
    ("boiling oil tipped over my little boy and the skin is coming off", "emergency"),
    ("does the burn unit at sahzu have many beds", None),
])
def test_more_ways_of_asking_for_advice_and_of_describing_a_burn(text, expected):
    assert safety.category(text) == expected


def test_do_i_have_to_is_a_visitors_question_not_a_diagnosis():
    assert safety.category("I'm coming for an exchange semester at ZJU medicine. Which city do I have to travel to?") is None
    assert safety.category("do I have cancer?") == "medical_advice"
