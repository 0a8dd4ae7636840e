"""URL path converters.

`<id:pk>`: a database id — digits that fit a 64-bit integer column. A longer number matches no
URL (404) before any query: SQLite cannot even bind it (an OverflowError, a 500, where PostgreSQL
just finds nothing)."""

LARGEST_ID = 2**63 - 1


class IdConverter:
    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > LARGEST_ID:
            raise ValueError(value)  # the URL does not match
        return number

    def to_url(self, value) -> str:
        return str(value)
