import json

import pytest

from bot.kb import index, store
from bot.kb.ingest import fingerprint


def test_roundtrip_and_manifest(built, encoder):
    _, knowledge, index_dir = built
    loaded = store.load(index_dir, expect_model=encoder.name, expect_fingerprint=fingerprint(knowledge))
    m = loaded.manifest
    assert m["format_version"] == store.FORMAT_VERSION and m["model"] == encoder.name
    assert m["dimension"] == encoder.dimension and m["passages"] == len(loaded.passages) > 20
    assert m["sentences"] == loaded.sentence_index.ntotal
    assert set(m["pages"]) == {"second_affiliated_hospital", "zusm_medical_network", "sahzu_ultrasound_department",
                               "gastrointestinal_anal_surgery", "zusm_at_a_glance"}
    assert not list(index_dir.glob("*.pkl")) and not list(index_dir.glob("*.pickle"))


def test_missing_index_names_the_rebuild_command(tmp_path):
    with pytest.raises(store.IndexUnavailable, match="make index"):
        store.load(tmp_path / "nothing-here")


def _copy_index(src, dst):
    dst.mkdir()
    for f in src.iterdir():
        (dst / f.name).write_bytes(f.read_bytes())


def test_truncated_faiss_file_is_reported(built, tmp_path):
    _, _, index_dir = built
    broken = tmp_path / "broken"
    _copy_index(index_dir, broken)
    data = (broken / "sentences.faiss").read_bytes()
    (broken / "sentences.faiss").write_bytes(data[: len(data) // 3])
    with pytest.raises(store.IndexUnavailable, match="make index"):
        store.load(broken)


def test_manifest_that_disagrees_with_files_is_rejected(built, tmp_path):
    _, _, index_dir = built
    broken = tmp_path / "counts"
    _copy_index(index_dir, broken)
    manifest = json.loads((broken / "manifest.json").read_text())
    manifest["passages"] += 1
    (broken / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(store.IndexUnavailable, match="disagree"):
        store.load(broken)


def test_stale_or_foreign_index_is_refused(built, encoder):
    _, _, index_dir = built
    with pytest.raises(store.IndexUnavailable, match="stale"):
        store.load(index_dir, expect_fingerprint="0000")
    with pytest.raises(store.IndexUnavailable, match="built with"):
        store.load(index_dir, expect_model="another/model")


def test_chunks_are_tagged_with_their_entities(kb):
    tagged = {p.section: p.entities for p in kb.passages if p.page == "zusm_medical_network"}
    assert tagged["Children's Hospital"] == ["Children's Hospital"]
    assert "Second Affiliated Hospital" in next(v for k, v in tagged.items() if k.startswith("The 2nd Affiliated"))


def test_faq_is_indexed(built):
    _, knowledge, index_dir = built
    loaded = store.load(index_dir)
    assert len(loaded.faq) >= 10 and loaded.faq_index.ntotal == sum(len(e.questions) for e in loaded.faq)
    pages = {p.stem for p in index.load_pages(knowledge)} if hasattr(index, "load_pages") else None
    if pages:
        assert {e.page for e in loaded.faq} <= pages


def test_index_type_must_match_the_manifest(built, tmp_path):
    _, _, index_dir = built
    other = tmp_path / "kind"
    _copy_index(index_dir, other)
    manifest = json.loads((other / "manifest.json").read_text())
    assert manifest["index_type"] == "flat-ip"  # a few dozen passages: exact search
    manifest["index_type"] = "hnsw-ip"
    (other / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(store.IndexUnavailable, match="make index"):
        store.load(other)
