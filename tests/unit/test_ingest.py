from pathlib import Path

from bot.kb.ingest import chunk_pages, fingerprint, fragment, load_pages, parse_page, split_sentences


def test_front_matter_and_sections_are_read(tmp_path: Path):
    page = tmp_path / "demo.md"
    page.write_text("---\ntitle: Demo Hospital\nsource: test\ndate: 2020-09-09\n---\n# Demo Hospital\n\n"
                    "Intro sentence here.\n\n## Beds\n\n  • 2 campuses (~1300 beds)\n\nGo Back\n", encoding="utf-8")
    parsed = parse_page(page)
    assert parsed.title == "Demo Hospital" and parsed.date == "2020-09-09"
    assert [s for s, _ in parsed.sections] == ["Demo Hospital", "Beds"]
    assert parsed.sections[1][1] == ["• 2 campuses (~1300 beds)"]  # boilerplate "Go Back" dropped


def test_bullets_keep_the_hospital_named_in_their_heading():
    passages = chunk_pages(load_pages(Path("knowledge")))
    bullet = next(p for p in passages if "2 campuses (~1300 beds)" in p.sentences)
    assert bullet.section.startswith("Children's Hospital") and bullet.is_list
    assert bullet.title == "ZUSM Medical Network"


def test_indented_line_in_a_list_is_a_list_item():
    passages = chunk_pages(load_pages(Path("knowledge")))
    items = [s for p in passages if p.section == "Non-direct Affiliated Hospital" for s in p.sentences]
    assert "Affiliated Xixi Hospital of Hangzhou" in items


def test_sentence_split_survives_abbreviations_and_missing_spaces():
    text = "Prof. Huang Pintong is the leader. More than 3500 cases.The network grew."
    assert split_sentences(text) == ["Prof. Huang Pintong is the leader.", "More than 3500 cases.", "The network grew."]


def test_long_sentence_is_cut_at_clauses_without_losing_words():
    sentence = ", ".join(f"clause number {i} with some words" for i in range(30)) + "."
    parts = fragment(sentence, 120)
    assert all(len(p) <= 120 for p in parts)
    assert " ".join(parts) == sentence


def test_no_passage_is_longer_than_the_limit():
    for p in chunk_pages(load_pages(Path("knowledge")), max_chars=600, fragment_chars=360):
        assert len(p.text) <= 600 + 360


def test_fingerprint_changes_with_content(knowledge_dir):
    before = fingerprint(knowledge_dir)
    (knowledge_dir / "zusm_at_a_glance.md").write_text("---\ntitle: x\n---\nchanged\n", encoding="utf-8")
    assert fingerprint(knowledge_dir) != before
