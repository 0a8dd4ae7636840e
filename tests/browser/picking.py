"""Using a searchable picker (static/js/pickers.js) the way a person does: type, wait for the
answer to what was typed, click the choice."""

from urllib.parse import parse_qs, urlsplit


def _type(page, name: str, typed: str):
    """Type `typed` into the picker of field `name` and wait until its answer is shown."""
    page.wait_for_selector(f"select[name={name}].tomselected", state="attached")
    box = page.locator(f"#id_{name}-ts-control")
    box.click()
    box.fill("")  # what was typed before is not an answer to this

    def answers_typed(response) -> bool:
        query = parse_qs(urlsplit(response.url).query)
        return "/pickers/" in response.url and query.get("q", [""]) == [typed]

    with page.expect_response(answers_typed):
        box.fill(typed)
    page.wait_for_selector(f"select[name={name}] + .ts-wrapper:not(.loading)", state="attached")
    page.locator(f"#id_{name}-ts-dropdown .option, #id_{name}-ts-dropdown .no-results").first.wait_for()


def offered(page, name: str, typed: str) -> list[str]:
    """The options the picker of field `name` offers once `typed` is typed (empty when none)."""
    _type(page, name, typed)
    return [text.strip() for text in page.locator(f"#id_{name}-ts-dropdown .option").all_inner_texts()]


def pick(page, name: str, typed: str, choice: str | None = None) -> str:
    """Type `typed` into the picker of field `name`, click the option reading `choice` (default: the
    first one offered) and return the value the form now holds."""
    _type(page, name, typed)
    options = page.locator(f"#id_{name}-ts-dropdown .option")
    (options.filter(has_text=choice).first if choice else options.first).click()
    return page.eval_on_selector(f"select[name={name}]", "select => select.value")
