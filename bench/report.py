"""Writes one `## section` of BENCHMARKS.md, keeping the others (each bench script
owns its section)."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAD = "# Benchmarks\n\nProduced by `bench/run`; rerun it to refresh. Ratios above 1 mean sitrep is slower.\n\n"


def write_section(title, text):
    out = ROOT / "BENCHMARKS.md"
    old = out.read_text() if out.exists() else HEAD
    if not old.startswith("# Benchmarks"):
        old = HEAD + old
    block = text.rstrip() + "\n\n"
    pat = re.compile(rf"^## {re.escape(title)}\n.*?(?=^## |\Z)", re.S | re.M)
    new = pat.sub(lambda _: block, old) if pat.search(old) else old.rstrip() + "\n\n" + block
    tmp = out.with_suffix(".md.tmp")
    tmp.write_text(new.rstrip() + "\n")
    tmp.replace(out)
