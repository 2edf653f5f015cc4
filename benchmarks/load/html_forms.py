"""What a browser would post for each form of a page, read from the page's HTML."""
from html.parser import HTMLParser


class FormReader(HTMLParser):
    """The fields a browser would send for each form of a page (FormData: no disabled
    fields, no buttons, checked radios and checkboxes only)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self._form = None
        self._textarea = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = {"action": attrs.get("action", ""), "attrs": attrs, "fields": [],
                          "radios": {}}
            self.forms.append(self._form)
            return
        form = self._form
        if form is None or "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "image", "file", "reset"):
                return
            if kind in ("radio", "checkbox"):
                form["radios"].setdefault(name, []).append(attrs.get("value", "on"))
                if "checked" in attrs:
                    form["fields"].append([name, attrs.get("value", "on")])
                return
            form["fields"].append([name, attrs.get("value", "")])
        elif tag == "textarea" and name:
            self._textarea = [name, ""]
            form["fields"].append(self._textarea)
        elif tag == "select" and name:
            self._select = [name, None]
        elif tag == "option" and self._select is not None:
            if self._select[1] is None or "selected" in attrs:
                self._select[1] = attrs.get("value", "")

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select is not None:
            if self._form is not None:
                self._form["fields"].append([self._select[0], self._select[1] or ""])
            self._select = None
        elif tag == "form":
            self._form = None


def forms_of(html: str) -> list[dict]:
    reader = FormReader()
    reader.feed(html)
    return reader.forms


def form_posting_to(html: str, suffix: str) -> dict | None:
    return next((form for form in forms_of(html) if form["action"].endswith(suffix)), None)


def form_with_field(html: str, name: str) -> dict | None:
    """The form that has this field (forms posting to their own page have no action)."""
    return next((form for form in forms_of(html)
                 if any(field[0] == name for field in form["fields"])), None)
