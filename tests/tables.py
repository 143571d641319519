"""Checks on the markup of data tables that must read well on a phone."""

import re
from html.parser import HTMLParser


class _Tables(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tables = []  # each: {"classes", "wrap", "headers": [...], "rows": [[(tag, attrs)]]}
        self._wrap = None
        self._stack = []
        self._in_head = False
        self._header_text = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "div" and "table-wrap" in (attrs.get("class") or "").split():
            self._wrap = attrs
        elif tag == "table":
            self.tables.append(
                {
                    "classes": (attrs.get("class") or "").split(),
                    "wrap": self._wrap,
                    "headers": [],
                    "rows": [],
                }
            )
            self._wrap = None
        elif not self.tables:
            return
        elif tag == "thead":
            self._in_head = True
        elif tag == "tr" and not self._in_head:
            self.tables[-1]["rows"].append([])
        elif tag == "th" and self._in_head:
            self._header_text = ""
        elif tag in ("td", "th") and self.tables[-1]["rows"]:
            self.tables[-1]["rows"][-1].append((tag, attrs))

    def handle_endtag(self, tag):
        if tag == "thead":
            self._in_head = False
        elif tag == "th" and self._header_text is not None:
            self.tables[-1]["headers"].append(re.sub(r"\s+", " ", self._header_text).strip())
            self._header_text = None

    def handle_data(self, data):
        if self._header_text is not None:
            self._header_text += data


def stacked_table_problems(html: str) -> list[str]:
    """What would hide or mislabel a column of a `data--stack` table on a phone."""
    parser = _Tables()
    parser.feed(html)
    problems = []
    for table in parser.tables:
        if "data" not in table["classes"]:
            continue
        wrap = table["wrap"] or {}
        if not (
            wrap.get("tabindex") == "0"
            and wrap.get("role") == "region"
            and (wrap.get("aria-label") or wrap.get("aria-labelledby"))
        ):
            problems.append(f"scroll region of {table['headers']} is not a named keyboard stop")
        if "data--stack" not in table["classes"]:
            problems.append(f"table {table['headers']} does not stack on a phone")
            continue
        for row in table["rows"]:
            for index, (tag, attrs) in enumerate(row):
                if tag == "th":
                    continue
                header = table["headers"][index] if index < len(table["headers"]) else None
                if attrs.get("data-label") != header:
                    problems.append(
                        f"cell under {header!r} is labelled {attrs.get('data-label')!r}"
                    )
    return problems
