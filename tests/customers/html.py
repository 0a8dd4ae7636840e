"""Reading rendered pages the way a person does: one section, its rows, its text."""

import html
import re


def text(fragment: str) -> str:
    """The visible text of an HTML fragment, tags dropped and whitespace collapsed."""
    spaced = re.sub(r"</?(?:td|th|tr|li|p|br|div|ul|ol|dt|dd|h\d|section|table)\b[^>]*>", " ", fragment)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", spaced))).strip()


def element(page: str, attribute: str, value: str, tag: str = "section") -> str:
    """The inner HTML of the first <tag attribute="value"> of `page` (these elements do not nest)."""
    match = re.search(rf'<{tag}\b[^>]*\b{attribute}="{re.escape(value)}"[^>]*>(.*?)</{tag}>', page, re.S)
    assert match, f'no <{tag} {attribute}="{value}"> on the page'
    return match.group(1)


def section(page: str, section_id: str) -> str:
    return element(page, "id", section_id)


def body_rows(fragment: str) -> list[str]:
    """The text of each row of the table body in `fragment`."""
    tbody = re.search(r"<tbody>(.*?)</tbody>", fragment, re.S)
    assert tbody, "no table body"
    return [text(row) for row in re.findall(r"<tr\b[^>]*>(.*?)</tr>", tbody.group(1), re.S)]


def errors(page: str) -> list[str]:
    """Every error shown on a form: beside a field or on top of it."""
    beside = re.findall(r'<p class="error"[^>]*>(.*?)</p>', page, re.S)
    on_top = re.findall(r'<div class="form-errors"[^>]*>(.*?)</div>', page, re.S)
    return [text(item) for item in beside + on_top]


def messages(page: str) -> list[str]:
    return [text(item) for item in re.findall(r'<li class="message[^"]*"[^>]*>(.*?)</li>', page, re.S)]


def listed_customer_ids(page: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-customer="(\d+)"', page)]


def todos(page: str) -> list[tuple[str, str]]:
    """The home page's 待办 strip as the user reads it, in order: (what, how many)."""
    strip = re.search(r"<section class=\"todos\".*?</section>", page, re.S)
    assert strip, "no 待办 strip on the page"
    return [
        (text(label), count)
        for count, label in re.findall(
            r'class="todo-count"[^>]*>([^<]*)</span>\s*<span class="todo-label">(.*?)</span>', strip.group(0), re.S
        )
    ]
