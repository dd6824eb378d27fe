"""The Rasa NLU synonyms and the knowledge catalogue must name places identically."""
from pathlib import Path

import yaml

from bot.kb.entities import Catalog


def test_every_rasa_synonym_target_is_in_the_catalogue():
    catalog = Catalog.load(Path("knowledge/catalog.yml"))
    names = {e.name for e in catalog.entities}
    targets = set()
    for path in Path("bot/data/nlu").glob("*.yml"):
        for item in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu", []):
            if "synonym" in item:
                targets.add(item["synonym"])
    assert targets, "no synonyms found in bot/data/nlu"
    assert targets <= names, targets - names
