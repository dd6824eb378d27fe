"""Load the knowledge pages, clean them and cut them into passages that keep their context.

Every passage carries its page title, section heading and date, so a bullet such as
"2 campuses (~1300 beds)" is indexed together with the hospital its section names.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

import yaml

_BOILERPLATE = re.compile(
    r"^(word:\s*\[big\].*|go back|browse mobile station|find people|search by family name|"
    r"find a department|search by departments)$",
    re.IGNORECASE,
)
_BULLET = re.compile(r"^\s*[•\u2022\-\*]\s*")
_ABBREVIATIONS = ("prof.", "dr.", "e.g.", "i.e.", "no.", "st.", "est.", "vs.", "april.")


@dataclass(frozen=True)
class Page:
    stem: str
    title: str
    source: str
    date: str | None
    sections: list[tuple[str, list[str]]]  # (heading, blocks); a block is a paragraph or a bullet


@dataclass(frozen=True)
class Passage:
    id: str
    page: str
    title: str
    section: str
    date: str | None
    source: str
    text: str
    sentences: list[str] = field(default_factory=list)
    is_list: bool = False
    entities: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> "Passage":
        return cls(**data)


def fingerprint(knowledge_dir: Path) -> str:
    """Hash of every knowledge file's name and bytes: the index is stale when it changes."""
    digest = hashlib.sha256()
    for path in sorted(knowledge_dir.glob("*")):
        if path.is_file() and path.suffix in {".md", ".yml", ".yaml"}:
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def clean_line(line: str) -> str:
    line = line.replace("\u00a0", " ").replace("\u3000", " ")
    return re.sub(r"[ \t]+", " ", line).strip()


def parse_page(path: Path) -> Page:
    raw = path.read_text(encoding="utf-8")
    meta: dict = {}
    if raw.startswith("---"):
        _, header, raw = raw.split("---", 2)
        meta = yaml.safe_load(header) or {}
    title = str(meta.get("title") or path.stem.replace("_", " "))
    sections: list[tuple[str, list[str]]] = []
    heading = title
    blocks: list[str] = []
    paragraph: list[str] = []

    def flush_paragraph() -> None:
        if paragraph:
            blocks.append(" ".join(paragraph))
            paragraph.clear()

    def flush_section() -> None:
        flush_paragraph()
        if blocks:
            sections.append((heading, list(blocks)))
        blocks.clear()

    for line in raw.splitlines():
        if line.startswith("## "):
            flush_section()
            heading = clean_line(line[3:])
            continue
        if line.startswith("# "):
            flush_section()
            heading = title
            continue
        text = clean_line(line)
        if not text or _BOILERPLATE.match(text):
            flush_paragraph()
            continue
        # Indented lines inside a bullet list are list items that lost their bullet.
        if _BULLET.match(line) or (line.startswith("    ") and blocks and blocks[-1].startswith("• ")):
            flush_paragraph()
            blocks.append("• " + _BULLET.sub("", text))
        else:
            paragraph.append(text)
    flush_section()
    # A page that ends on a dangling lead-in ("we have provided equipment for ...:") lost its list.
    if sections and sections[-1][1] and sections[-1][1][-1].endswith(":"):
        sections[-1][1].pop()
    date = meta.get("date")
    return Page(path.stem, title, str(meta.get("source", path.name)), str(date) if date else None, sections)


def load_pages(knowledge_dir: Path) -> list[Page]:
    return [parse_page(p) for p in sorted(knowledge_dir.glob("*.md"))]


def split_sentences(text: str) -> list[str]:
    """Sentence split that survives "Prof. Huang", "etc." and "Est.1869"."""
    pieces: list[str] = []
    start = 0
    # Scraped pages sometimes lose the space after a full stop ("service.The medical network"), or the
    # full stop itself before a new subject ("colorectal tumors It has created").
    text = re.sub(r"(?<=[a-z]{3}) (?=(It|This|These|They|We|Our) [a-z])", ". ", text)
    for match in re.finditer(r"[.!?](?=\s+[A-Z0-9\"“(])|(?<=[a-z]{3})\.(?=[A-Z][a-z])", text):
        end = match.end()
        last_word = text[start:end].rsplit(" ", 1)[-1].lower()
        if last_word in _ABBREVIATIONS or re.fullmatch(r"[a-z]\.", last_word):
            continue
        pieces.append(text[start:end].strip())
        start = end
    tail = text[start:].strip()
    if tail:
        pieces.append(tail)
    return [p for p in pieces if len(p) > 1]


def fragment(sentence: str, max_chars: int) -> list[str]:
    """Cut an over-long sentence at clause boundaries so one fact fits in a chat reply."""
    if len(sentence) <= max_chars:
        return [sentence]
    clauses = re.split(r"(?<=;)\s+", sentence)
    if max(len(c) for c in clauses) > max_chars:
        clauses = re.split(r"(?<=[;,])\s+", sentence)
    out: list[str] = []
    current = ""
    for clause in clauses:
        if current and len(current) + 1 + len(clause) > max_chars:
            out.append(current)
            current = clause
        else:
            current = f"{current} {clause}".strip()
    if current:
        out.append(current)
    return out


def chunk_page(page: Page, max_chars: int, fragment_chars: int) -> list[Passage]:
    passages: list[Passage] = []

    def emit(section: str, units: list[str], is_list: bool) -> None:
        text = "\n".join(units) if is_list else " ".join(units)
        sentences = [u.lstrip("• ").strip() for u in units]
        passages.append(Passage(
            id=f"{page.stem}#{len(passages)}", page=page.stem, title=page.title, section=section,
            date=page.date, source=page.source, text=text, sentences=sentences, is_list=is_list,
        ))

    for heading, blocks in page.sections:
        bullets = [b for b in blocks if b.startswith("• ")]
        prose = [b for b in blocks if not b.startswith("• ")]
        for block in prose:
            units = [f for sentence in split_sentences(block) for f in fragment(sentence, fragment_chars)]
            for group in _pack(units, max_chars):
                emit(heading, group, False)
        for group in _pack(bullets, max_chars):
            emit(heading, group, True)
    return passages


def _pack(units: list[str], max_chars: int) -> list[list[str]]:
    """Consecutive units packed into groups of at most max_chars (a unit longer than that stands alone)."""
    groups: list[list[str]] = []
    group: list[str] = []
    for unit in units:
        if group and sum(len(u) + 1 for u in group) + len(unit) > max_chars:
            groups.append(group)
            group = []
        group.append(unit)
    if group:
        groups.append(group)
    return groups


def chunk_pages(pages: list[Page], max_chars: int = 600, fragment_chars: int = 360) -> list[Passage]:
    out: list[Passage] = []
    for page in pages:
        out.extend(chunk_page(page, max_chars, fragment_chars))
    return out
