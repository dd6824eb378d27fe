"""The learned answer-or-decline decision: fitting, persistence, and its use by the composer."""
import json

import pytest

from bot.kb import calibrate
from bot.kb.answer import AnswerComposer

FEATURES = ["aspect_match", "confidence", "cosine", "coverage", "literal", "margin", "max_cosine", "named", "terms",
            "type_match", "unseen_share"]


def _row(good: bool, i: int) -> dict[str, float]:
    base = 0.7 if good else 0.3
    return {f: base + 0.01 * ((i * 7 + k) % 5) for k, f in enumerate(FEATURES)}


def test_fit_separates_answerable_from_not():
    rows = [_row(True, i) for i in range(20)] + [_row(False, i) for i in range(20)]
    model = calibrate.train(rows, [1.0] * 20 + [0.0] * 20, 0.5, ["synthetic"])
    assert model.probability(_row(True, 99)) > 0.9
    assert model.probability(_row(False, 99)) < 0.1


def test_wrong_answers_weighted_higher_lower_the_probability():
    rows = [_row(True, i) for i in range(20)] + [_row(False, i) for i in range(20)] + [_row(True, 50)]
    labels = [1.0] * 20 + [0.0] * 20 + [0.0]
    plain = calibrate.train(rows, labels, 0.5, [])
    careful = calibrate.train(rows, labels, 0.5, [], negative_weight=4.0)
    middle = {f: 0.5 for f in FEATURES}
    assert careful.probability(middle) < plain.probability(middle)


def test_save_and_load_round_trip(tmp_path):
    model = calibrate.train([_row(True, 1), _row(False, 1)], [1.0, 0.0], 0.4, ["tuning.yml"])
    path = tmp_path / "calibration.json"
    calibrate.save(model, path)
    assert calibrate.load(path) == model
    assert json.loads(path.read_text())["format_version"] == calibrate.FORMAT_VERSION
    assert calibrate.load(tmp_path / "absent.json") is None


def test_unknown_format_is_an_error_naming_the_rebuild(tmp_path):
    path = tmp_path / "calibration.json"
    path.write_text(json.dumps({"format_version": 99}))
    with pytest.raises(ValueError, match="make calibrate"):
        calibrate.load(path)


def test_committed_calibration_loads_and_uses_the_composer_features():
    from bot.settings import get_settings
    model = calibrate.load(get_settings().calibration_path)
    assert model is not None and 0.0 < model.threshold < 1.0
    assert sorted(model.features) == sorted(FEATURES)


def _always(bias: float) -> calibrate.Calibrator:
    return calibrate.Calibrator(FEATURES, [0.0] * len(FEATURES), [1.0] * len(FEATURES), [0.0] * len(FEATURES), bias, 0.5, [], 0)


def test_composer_declines_or_answers_by_the_calibrated_probability(composer):
    question = "how many beds does the children's hospital have"
    sure = AnswerComposer(composer.kb, threshold=composer.threshold, faq_threshold=composer.faq_threshold,
                          calibrator=_always(5.0))
    unsure = AnswerComposer(composer.kb, threshold=composer.threshold, faq_threshold=composer.faq_threshold,
                            calibrator=_always(-5.0))
    assert sure.answer(question).kind == "answer"
    assert unsure.answer(question).kind == "decline"
    assert set(sure.last_features) == set(FEATURES)
