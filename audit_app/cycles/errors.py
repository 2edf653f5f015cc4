"""The error every cycle rule raises when a request cannot be done."""


class CycleError(ValueError):
    """A request about cycles that cannot be done; the message says why, in words for the
    person. Raised before anything changes."""
