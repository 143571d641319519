"""Every data table on a resident page has a name a screen reader announces on entering it
(caption) and headers that say whether they head a column or a row (WCAG 1.3.1)."""

import re

import pytest

from tests.test_browser_a11y import _pages, resident_with_everything  # noqa: F401

pytestmark = pytest.mark.django_db


def test_every_table_has_a_caption_and_scoped_headers(client, resident_with_everything):  # noqa: F811
    client.force_login(resident_with_everything["resident"])
    problems, tables = [], 0
    for path in _pages(resident_with_everything):
        html = client.get(path).content.decode()
        for table in re.findall(r"<table.*?</table>", html, re.S):
            tables += 1
            caption = re.search(r"<caption[^>]*>(.*?)</caption>", table, re.S)
            if not caption or not re.sub(r"<[^>]+>|\s", "", caption.group(1)):
                problems.append(f"{path}: a table without a caption")
            unscoped = re.findall(r"<th(?=[\s>])(?![^>]*scope=)[^>]*>", table)
            problems += [f"{path}: {th}" for th in unscoped]
    assert tables >= 6
    assert problems == []
