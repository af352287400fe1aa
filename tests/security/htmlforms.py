"""The <form>s of an HTML page as data (stdlib html.parser): action, method, and each field's
name, type, value and, for a <select>, its options."""
from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Field:
    tag: str  # input, textarea, select, button
    type: str
    name: str
    value: str = ""
    options: list[str] = field(default_factory=list)
    checked: bool = False


@dataclass
class Form:
    action: str
    method: str
    enctype: str
    fields: list[Field] = field(default_factory=list)

    def signature(self) -> tuple:
        """Two forms with the same target and fields are one form for the crawler."""
        return (self.method, self.action.split("?")[0], tuple(sorted({f.name for f in self.fields})))


class _Parser(HTMLParser):
    def __init__(self, page_url: str):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: Field | None = None
        self._option: dict | None = None
        self._textarea: Field | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._form = Form(action=a.get("action") or self.page_url,
                              method=(a.get("method") or "get").upper(),
                              enctype=a.get("enctype", ""))
            self.forms.append(self._form)
            return
        if self._form is None or not a.get("name") and tag != "option":
            return
        if tag == "input":
            self._form.fields.append(Field("input", a.get("type", "text").lower(), a["name"],
                                           a.get("value", ""), checked="checked" in a))
        elif tag == "button" and a.get("type", "submit").lower() == "submit":
            self._form.fields.append(Field("button", "submit", a["name"], a.get("value", "")))
        elif tag == "textarea":
            self._textarea = Field("textarea", "textarea", a["name"])
            self._form.fields.append(self._textarea)
        elif tag == "select":
            self._select = Field("select", "select-multiple" if "multiple" in a else "select", a["name"])
            self._form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            self._option = a
            if "value" in a:
                self._select.options.append(a["value"])

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data
        elif self._option is not None and "value" not in self._option and self._select is not None:
            self._select.options.append(data.strip())
            self._option = {"value": data.strip()}

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "option":
            self._option = None


def parse_forms(html: str, page_url: str) -> list[Form]:
    parser = _Parser(page_url)
    parser.feed(html)
    parser.close()
    return parser.forms
