"""Reading generated PDFs back, with poppler-utils, to assert on what a person sees."""

import re
import subprocess


def pdf_text(pdf: bytes) -> str:
    result = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return result.stdout.decode()


def pdf_page_count(pdf: bytes) -> int:
    result = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True)
    return int(re.search(r"^Pages:\s+(\d+)", result.stdout.decode(), re.M).group(1))


def pdf_accessibility(pdf: bytes) -> dict:
    """Whether the PDF is tagged and which language its catalogue declares."""
    import zlib

    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True)
    tagged = re.search(r"^Tagged:\s+yes", info.stdout.decode(), re.M) is not None
    lang = None
    for stream in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        try:
            data = zlib.decompress(stream.group(1))
        except zlib.error:
            continue
        if match := re.search(rb"/Type /Catalog.*?/Lang \(([^)]*)\)", data, re.S):
            lang = match.group(1).decode()
    return {"tagged": tagged, "lang": lang}
