"""Reading a document's text back as a court's e-filing index would (R-82; issue 14, item 4).

Poppler's `pdftotext` when it is installed (scripts/setup.sh installs poppler-utils), else pypdf.
Used by the demonstration to show that a Thai application's text comes back exactly."""
from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from pathlib import Path


def text_of(pdf: bytes) -> tuple[str, str]:
    """(the extracted text, the tool that extracted it)."""
    tool = shutil.which("pdftotext")
    if tool:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "document.pdf"
            path.write_bytes(pdf)
            out = subprocess.run([tool, "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, timeout=60)
        if out.returncode == 0:
            return out.stdout, "pdftotext"
    from pypdf import PdfReader

    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages), "pypdf"


def missing(pdf: bytes, expected: list[str]) -> tuple[list[str], str]:
    """The expected strings the extracted text lacks (whitespace and line breaks ignored), and the tool."""
    text, tool = text_of(pdf)
    flat = "".join(text.split())
    return [s for s in expected if "".join(s.split()) not in flat], tool
