"""Domain errors: raised by services, shown to people by views (never a 500)."""


class ActionRefused(Exception):
    """An action the rules do not allow now; the message says why, in words a person reads."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message

    def __str__(self):
        return str(self.message)


class TransitionRefused(ActionRefused):
    """A state machine refused a transition (wrong state, missing precondition)."""
