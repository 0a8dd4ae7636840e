"""Escalation settings shared by overdue loans and overdue complaints: "0:borrower;1:department_manager;
3:archive_manager+general_manager" — working days after the due day, then who is told."""

from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class NoticeLevel:
    """One level of an escalation: sent once the due day lies `after` working days back."""

    level: int
    after: int
    recipients: tuple[str, ...]


def parse_levels(setting: str, text: str, roles) -> list[NoticeLevel]:
    """`text` (the value of `setting`) parsed into levels whose recipients are among `roles`.
    Refuses a malformed value with the reason, so a bad setting stops the start."""
    levels = []
    for number, part in enumerate(filter(None, (piece.strip() for piece in text.split(";")))):
        after, _colon, who = part.partition(":")
        recipients = tuple(filter(None, (name.strip() for name in who.split("+"))))
        if not after.strip().isdecimal() or not recipients or any(name not in roles for name in recipients):
            raise ImproperlyConfigured(
                f"{setting}: {part!r} is not 'working days:who+who' (who among {', '.join(roles)})"
            )
        levels.append(NoticeLevel(level=number + 1, after=int(after), recipients=recipients))
    if [level.after for level in levels] != sorted(level.after for level in levels):
        raise ImproperlyConfigured(f"{setting}: levels must come in order of their delay")
    return levels
