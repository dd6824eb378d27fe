"""The knowledge service's own safety checks (defence in depth behind Rasa's intents)."""
from bot.kb import safety


def test_dosage_questions_get_no_advice_whoever_takes_it():
    for q in ("how much paracetamol can i give my 3 year old", "how many ibuprofen can we take a day",
              "how much of this syrup should I use for a cough"):
        assert safety.wants_medical_advice(q), q


def test_facts_about_places_are_not_medical_advice():
    for q in ("how many beds does the children's hospital have", "how much surgery does srrsh do",
              "which professor leads the ultrasound branch"):
        assert not safety.wants_medical_advice(q), q


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
