"""Log lines nobody can forge. Messages and their arguments often carry what people typed
(an email address at sign-in, a path, a file name): a carriage return or line feed in them
would start a fake log line, and terminal escapes or right-to-left overrides would hide
what was written. The filter here writes every such character as a visible escape."""
import logging
import re

# C0 controls (tab, CR and LF included), DEL, C1 controls, the Unicode line and paragraph
# separators, and the bidirectional overrides and isolates.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"


def escape_controls(text: str) -> str:
    """``text`` with every control character written as an escape (``\\n``, ``\\x1b``)."""
    return _CONTROL.sub(_escape, text)


class EscapeControlCharacters(logging.Filter):
    """Formats the record's message with its arguments, then escapes the result, so that
    neither the message nor any argument can break the line. A traceback (``exc_info``)
    is left as it is: its line breaks are the logger's own."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "controls_escaped", False):
            return True
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001  (a bad format string: logging reports it itself)
            return True
        record.msg, record.args = escape_controls(message), ()
        record.controls_escaped = True
        return True


def _install(target) -> None:
    if not any(isinstance(item, EscapeControlCharacters) for item in target.filters):
        target.addFilter(EscapeControlCharacters())


def init_app(app) -> None:
    """Escape control characters in everything the application logs. A logger's filter
    sees only records made on that logger, a handler's sees everything it writes: so the
    filter goes on the application's and Werkzeug's loggers and on every handler there is
    now (Flask's own, the root logger's, a server's)."""
    from flask.logging import default_handler

    loggers = [app.logger, logging.getLogger("werkzeug"), logging.getLogger()]
    for logger in loggers:
        _install(logger)
        for handler in logger.handlers:
            _install(handler)
    _install(default_handler)
