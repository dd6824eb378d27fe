"""Shared text cleaning used by the tokenizer and the REST channel (stdlib only)."""
import re
import unicodedata

# Hard cap on what the NLU model ever sees. DIET's cost grows with the number
# of tokens: a 100 kB message kept it busy for ~38 s at ~14 GB RSS. No real
# question to the assistant is anywhere near 500 characters.
MAX_NLU_CHARS = 500

_WHITESPACE = re.compile(r"\s+")


def clean_text(text: str, max_chars: int = MAX_NLU_CHARS) -> str:
    """Drop control/format characters, collapse whitespace, truncate.

    Control characters (category C*: NUL, escape sequences, zero-width and
    bidi marks...) carry no meaning for intent classification and only make
    odd tokens. Newlines/tabs are whitespace, so they are collapsed to one
    space rather than deleted (they separate words).
    """
    if not text:
        return ""
    chars = []
    for ch in text:
        if ch.isspace():
            chars.append(" ")
        elif unicodedata.category(ch).startswith("C"):
            continue
        else:
            chars.append(ch)
    cleaned = _WHITESPACE.sub(" ", "".join(chars)).strip()
    if len(cleaned) > max_chars:
        # cut at the last word boundary inside the limit when there is one
        cut = cleaned[:max_chars]
        space = cut.rfind(" ")
        cleaned = cut[:space] if space > max_chars // 2 else cut
    return cleaned
