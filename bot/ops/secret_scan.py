"""Look for secrets in the repository's tracked files and in the built models.

    python -m bot.ops.secret_scan [PATH ...]     # default: `git ls-files` + models/rasa/*.tar.gz + models/index

Channel secrets (Telegram token, webhook secret, API token) must come only from the environment
(scripts/serve.sh writes `${VAR}` references, never values). This finds token-shaped strings: a
Telegram bot token, private key blocks, AWS / GitHub / Slack keys, and `password|secret|token|api_key
= "<long literal>"` assignments. Values that are obviously placeholders ("example", "fake", "${...}")
are allowed. Exit status 1 when anything is found. Archives (.tar.gz) are scanned member by member.
"""
from __future__ import annotations

import re
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from bot.settings import REPO_ROOT

PATTERNS = {
    "telegram-bot-token": re.compile(rb"(?<![0-9A-Za-z])[0-9]{8,10}:[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])"),
    "private-key": re.compile(rb"-----BEGIN (?:RSA |EC |DSA |OPENSSH |PGP |ENCRYPTED )?PRIVATE KEY(?: BLOCK)?-----"),
    "aws-access-key-id": re.compile(rb"(?<![0-9A-Z])(?:AKIA|ASIA)[0-9A-Z]{16}(?![0-9A-Z])"),
    "aws-secret-key": re.compile(rb"(?i)aws_secret_access_key\s*[:=]\s*[\"']?[A-Za-z0-9/+=]{40}"),
    "github-token": re.compile(rb"(?<![0-9A-Za-z])gh[pousr]_[A-Za-z0-9]{36}"),
    "slack-token": re.compile(rb"(?<![0-9A-Za-z])xox[abprs]-[A-Za-z0-9-]{10,}"),
    # name = "literal" / name: 'literal' / "name": "literal" with a long value
    "assigned-secret": re.compile(
        rb"(?i)(?:password|passwd|secret|token|api[_-]?key|access[_-]?key)[A-Za-z0-9_]*[\"']?\s*[:=]\s*"
        rb"[\"']([^\"'\s]{16,})[\"']"),
}
# Placeholder values, environment references and code (a value read from somewhere) are not secrets.
# A shell value that starts from a variable or a command ("$SCALED_DIR/secrets", "$(secret x)") is read, not written.
PLACEHOLDER = re.compile(rb"(?i)example|fake|dummy|placeholder|changeme|not-a-real|xxxx|\$\{|\$[a-z_(]|<[a-z_]+>|os\.environ|getenv")
# Literal values that look like secrets but are not, each with the reason. Keep this list short.
ALLOWED_VALUES = {
    b"X-Telegram-Bot-Api-Secret-Token": "the name of Telegram's webhook header, not a value",
    b"stand-in-secret-0123": "webhook secret of the local Telegram stand-in in tests/channels",
    b"my-private-symptom-text": "a visitor message tests/test_web.py checks the logs never show",
}
MAX_FILE_BYTES = 50_000_000


@dataclass
class Finding:
    where: str
    kind: str
    excerpt: str

    def __str__(self) -> str:
        return f"{self.where}: {self.kind}: {self.excerpt}"


def scan_bytes(data: bytes, where: str) -> list[Finding]:
    found = []
    for kind, pattern in PATTERNS.items():
        for m in pattern.finditer(data):
            value = m.group(1) if m.groups() else m.group(0)
            if value in ALLOWED_VALUES or PLACEHOLDER.search(m.group(0)) or PLACEHOLDER.search(value):
                continue
            shown = m.group(0)[:12].decode("latin-1") + "..."  # never print a whole secret
            found.append(Finding(where, kind, shown))
    return found


def scan_path(path: Path, label: str | None = None) -> list[Finding]:
    label = label or str(path)
    if path.name.endswith((".tar.gz", ".tgz", ".tar")):
        out = []
        with tarfile.open(path) as tar:
            for member in tar:
                if member.isfile() and member.size <= MAX_FILE_BYTES:
                    data = tar.extractfile(member).read()
                    out.extend(scan_bytes(data, f"{label}!{member.name}"))
        return out
    if not path.is_file() or path.stat().st_size > MAX_FILE_BYTES:
        return []
    return scan_bytes(path.read_bytes(), label)


def default_targets(repo: Path = REPO_ROOT) -> Iterator[Path]:
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=repo, check=True, capture_output=True).stdout
    for name in tracked.split(b"\0"):
        if name:
            yield repo / name.decode()
    yield from sorted((repo / "models" / "rasa").glob("*.tar.gz"))
    index = repo / "models" / "index"
    if index.is_dir():
        yield from sorted(p for p in index.rglob("*") if p.is_file())
    yield from sorted((repo / "models").glob("*.yml"))  # credentials/endpoints written by serve.sh


def scan(paths: Iterable[Path], repo: Path = REPO_ROOT) -> list[Finding]:
    out = []
    for path in paths:
        try:
            label = str(path.relative_to(repo))
        except ValueError:
            label = str(path)
        out.extend(scan_path(path, label))
    return out


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    findings = scan([Path(a) for a in args] if args else default_targets())
    for f in findings:
        print(f)
    print(f"{len(findings)} possible secret(s) found", file=sys.stderr)
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
