"""PDFs of one return (DESIGN §6, last bullet): a draft from the live answers, watermarked
DRAFT, for the governors' meeting, and each submission from its stored content. Both print
the organisation, the cycle, every section and answer with its comment, the evidence, the
action plan, the declaration with its approvals and the status history, on A4 with page
numbers, in DejaVu Sans so that every name prints (built into static/build/fonts from the
dejavu-fonts-ttf npm package)."""
import re
from datetime import date, datetime
from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from ..cycles.transitions import STATUS_WORDS
# PdfFontMissing and pdfmetrics stay importable from here for existing callers.
from ..pdf_fonts import BOLD, FONT, PdfFontMissing, pdfmetrics, register_fonts  # noqa: F401
from ..pdf_fonts import NumberedCanvas as SharedNumberedCanvas
from ..timeutil import format_date, format_datetime, utcnow
from .submission import snapshot

MARGIN = 18 * mm
GREY = colors.HexColor("#505a5f")
RULE = colors.HexColor("#b1b4b6")


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=13, spaceAfter=3)
    return {
        "title": ParagraphStyle("title", parent=base, fontName=BOLD, fontSize=17, leading=22,
                                spaceAfter=6),
        "org": ParagraphStyle("org", parent=base, fontName=BOLD, fontSize=13, leading=17),
        "meta": ParagraphStyle("meta", parent=base, textColor=GREY),
        # Headings stay with what follows them.
        "h2": ParagraphStyle("h2", parent=base, fontName=BOLD, fontSize=13, leading=17,
                             spaceBefore=10, spaceAfter=5, keepWithNext=1),
        "h3": ParagraphStyle("h3", parent=base, fontName=BOLD, fontSize=11, leading=15,
                             spaceBefore=8, spaceAfter=4, keepWithNext=1),
        "question": ParagraphStyle("question", parent=base, fontName=BOLD, spaceBefore=5,
                                   keepWithNext=1),
        "body": base,
        "detail": ParagraphStyle("detail", parent=base, leftIndent=10),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8.5, leading=11, spaceAfter=0),
        "hash": ParagraphStyle("hash", parent=base, fontSize=7.5, leading=10, leftIndent=10,
                               textColor=GREY, wordWrap="CJK"),
    }


def text(value) -> str:
    """User text as Paragraph markup: escaped, line breaks kept."""
    return escape(str(value if value is not None else "")).replace("\n", "<br/>")


def _labelled(label: str, value) -> str:
    return f"<b>{text(label)}:</b> {text(value)}"


def _when(value: str | None) -> str:
    return format_datetime(datetime.fromisoformat(value)) if value else ""


def _day(value: str | None) -> str:
    return format_date(date.fromisoformat(value)) if value else ""


def _status(status: str | None) -> str:
    words = STATUS_WORDS.get(status or "", status or "")
    return words[:1].upper() + words[1:]


def _table(rows: list[list], widths: list[float], styles, header=True) -> Table:
    cells = [[Paragraph(text(value) if not (header and index == 0) else
                        f"<b>{text(value)}</b>", styles["cell"]) for value in row]
             for index, row in enumerate(rows)]
    table = Table(cells, colWidths=widths, repeatRows=1 if header else 0, hAlign="LEFT")
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
    ]))
    return table


def _details_table(pairs: list[tuple[str, str]], styles, width: float) -> Table:
    return _table([[label, value] for label, value in pairs if value],
                  [width * 0.3, width * 0.7], styles, header=False)


def _numbers(content: dict) -> dict[str, str]:
    """Question id -> its number in the document, e.g. '2.3'."""
    return {question["id"]: f"{section_index}.{question_index}"
            for section_index, section in enumerate(content["sections"], start=1)
            for question_index, question in enumerate(section["questions"], start=1)}


def _heading(content: dict, draft: bool, printed_at, styles) -> list:
    organisation = content["organisation"]
    if draft:
        meta = (f"Draft printed {format_datetime(printed_at)}. This is not a submission: "
                "answers may still change.")
    else:
        by = (content.get("submitted_by") or {}).get("name")
        meta = (f"Submission {content['number']}, submitted {_when(content['submitted_at'])}"
                + (f" by {by}" if by else ""))
    return [Paragraph(text(content["questionnaire"]["title"]), styles["title"]),
            Paragraph(text(organisation["name"]), styles["org"]),
            Paragraph(text(meta), styles["meta"])]


def _context(content: dict, styles, width: float) -> list:
    organisation, cycle = content["organisation"], content["cycle"]
    questionnaire = content["questionnaire"]
    identifier = (("URN", organisation.get("urn")) if organisation.get("urn")
                  else ("Code", organisation.get("code")))
    return [
        Paragraph("Organisation", styles["h2"]),
        _details_table([("Name", organisation["name"]), identifier,
                        ("Type", organisation.get("establishment_type")
                         or organisation.get("sector")),
                        ("Phase", organisation.get("phase")),
                        ("Legal basis", organisation.get("legal_basis")
                         or organisation.get("duty_basis")),
                        ("Local authority", organisation.get("la_name")),
                        ("Locality", organisation.get("locality")),
                        ("Partnership", content["partnership"]["name"])], styles, width),
        Paragraph("Audit cycle", styles["h2"]),
        _details_table([("Cycle", cycle["name"]),
                        ("Questionnaire", f"{questionnaire['id']} {questionnaire['version']}"),
                        ("Due date", _day(cycle["due_date"])),
                        ("Final deadline", _day(cycle["final_deadline"])),
                        ("Extension until", _day(cycle["extension_until"]))], styles, width),
    ]


def _evidence_lines(item: dict) -> list[str]:
    if item["kind"] == "file":
        return [_labelled("Evidence file", item.get("file_name"))]
    return [_labelled("Evidence reference", item.get("reference"))]


def _action_line(item: dict) -> str:
    return (f"{_labelled('Action', item['description'])}; owner {text(item['owner'])}; "
            f"target date {text(_day(item['target_date']))}; "
            f"{text(_status_of_action(item['status']))}")


def _status_of_action(status: str) -> str:
    return {"open": "open", "in_progress": "in progress", "done": "done",
            "dropped": "dropped"}.get(status, status)


def _answers(content: dict, numbers: dict, styles) -> list:
    story = [Paragraph("Answers", styles["h2"])]
    evidence = content["evidence"]
    actions = content["actions"]
    for section_index, section in enumerate(content["sections"], start=1):
        story.append(Paragraph(text(f"{section_index}. {section['title']}"), styles["h3"]))
        for question in section["questions"]:
            block = [Paragraph(text(f"{numbers[question['id']]} {question['text']}"),
                               styles["question"]),
                     Paragraph(_labelled("Answer", question["answer"] or "Not answered"),
                               styles["detail"])]
            if question["comment"]:
                block.append(Paragraph(_labelled("Comment", question["comment"]),
                                       styles["detail"]))
            for item in evidence:
                if item["question_id"] == question["id"]:
                    block += [Paragraph(line, styles["detail"]) for line in _evidence_lines(item)]
            for item in actions:
                if item["question_id"] == question["id"]:
                    block.append(Paragraph(_action_line(item), styles["detail"]))
            story.extend(block)
    return story


def _evidence_list(content: dict, numbers: dict, styles) -> list:
    story = [Paragraph("Evidence", styles["h2"])]
    if not content["evidence"]:
        return story + [Paragraph("No evidence was attached.", styles["body"])]
    for item in content["evidence"]:
        where = numbers.get(item["question_id"], "")
        story.append(Paragraph(f"<b>{text(where)}</b> " + " ".join(_evidence_lines(item)),
                               styles["body"]))
        if item["kind"] == "file":
            story.append(Paragraph(f"SHA-256 {text(item.get('sha256'))}", styles["hash"]))
    return story


def _action_plan(content: dict, numbers: dict, styles) -> list:
    story = [Paragraph("Action plan", styles["h2"])]
    if not content["actions"]:
        return story + [Paragraph("There are no actions.", styles["body"])]
    for item in content["actions"]:
        where = numbers.get(item["question_id"], "General")
        story.append(Paragraph(f"<b>{text(where)}</b> {_action_line(item)}", styles["body"]))
        if item.get("progress_note"):
            story.append(Paragraph(_labelled("Progress", item["progress_note"]),
                                   styles["detail"]))
    return story


def _declaration_paragraphs(markdown_text: str, styles) -> list:
    """The declaration's Markdown, read simply: paragraphs and '-' bullet lists."""
    story = []
    for block in re.split(r"\n\s*\n", markdown_text.strip()):
        items = re.split(r"(?m)^\s*[-*]\s+", block)
        if len(items) > 1:
            if items[0].strip():
                story.append(Paragraph(text(" ".join(items[0].split())), styles["body"]))
            story += [Paragraph(text(" ".join(item.split())), styles["detail"],
                                bulletText="•") for item in items[1:] if item.strip()]
        else:
            story.append(Paragraph(text(" ".join(block.split())), styles["body"]))
    return story


def _declaration(content: dict, styles, width: float) -> list:
    declaration = content["declaration"]
    rows = [["Approval", "Name", "Role", "Date approved"]]
    rows += [[item["label"], item["name"] or "Not recorded", item["role"] or "",
              _day(item["approved_on"])] for item in declaration["approvals"]]
    return ([Paragraph("Declaration", styles["h2"])]
            + _declaration_paragraphs(declaration["text"], styles)
            + [Spacer(1, 4), _table(rows, [width * 0.34, width * 0.24, width * 0.24,
                                           width * 0.18], styles)])


def _history(content: dict, styles, width: float) -> list:
    rows = [["Date", "Change", "By", "Reason"]]
    for event in content["history"]:
        change = (f"{_status(event['from'])} to {_status(event['to']).lower()}"
                  if event["from"] else _status(event["to"]))
        rows.append([_when(event["at"]), change, event.get("by") or "",
                     event.get("reason") or ""])
    story = [Paragraph("Status history", styles["h2"])]
    if len(rows) == 1:
        return story + [Paragraph("No changes of status yet.", styles["body"])]
    return story + [_table(rows, [width * 0.24, width * 0.3, width * 0.2, width * 0.26],
                           styles)]


def _page_decorator(footer: str, draft: bool):
    def decorate(canvas, document):
        canvas.saveState()
        if draft:
            # Under the page's content: drawn first, light, diagonal.
            canvas.setFont(BOLD, 110)
            canvas.setFillColor(colors.Color(0.8, 0.1, 0.1, alpha=0.12))
            canvas.translate(A4[0] / 2, A4[1] / 2)
            canvas.rotate(45)
            canvas.drawCentredString(0, -35, "DRAFT")
            canvas.rotate(-45)
            canvas.translate(-A4[0] / 2, -A4[1] / 2)
        canvas.setFont(FONT, 8)
        canvas.setFillColor(GREY)
        canvas.drawString(MARGIN, 10 * mm, footer[:120])
        canvas.restoreState()
    return decorate


class NumberedCanvas(SharedNumberedCanvas):
    footer_height = 10 * mm


def render(content: dict, *, draft: bool, printed_at: datetime | None = None) -> bytes:
    """The PDF of a return's content (see submission.snapshot)."""
    register_fonts()
    styles = _styles()
    buffer = BytesIO()
    organisation = content["organisation"]["name"]
    label = "Draft" if draft else f"Submission {content['number']}"
    document = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
        bottomMargin=MARGIN, title=f"{organisation}: {content['cycle']['name']} ({label})",
        author=content["partnership"]["name"], subject=content["questionnaire"]["title"])
    width = A4[0] - 2 * MARGIN
    numbers = _numbers(content)
    story = (_heading(content, draft, printed_at or utcnow(), styles)
             + _context(content, styles, width)
             + _answers(content, numbers, styles)
             + _evidence_list(content, numbers, styles)
             + _action_plan(content, numbers, styles)
             + _declaration(content, styles, width)
             + _history(content, styles, width))
    decorate = _page_decorator(f"{organisation} · {content['cycle']['name']} · {label}", draft)
    document.build(story, onFirstPage=decorate, onLaterPages=decorate,
                   canvasmaker=NumberedCanvas)
    return buffer.getvalue()


def draft_pdf(audit_return) -> bytes:
    return render(snapshot(audit_return), draft=True)


def submission_pdf(submission) -> bytes:
    return render(submission.content, draft=False)


def download_name(content: dict, draft: bool) -> str:
    """e.g. 'oak-tree-primary-school-s175-2025-26-submission-2.pdf'."""
    words = f"{content['organisation']['name']} {content['questionnaire']['id']} " \
            f"{content['questionnaire']['version']}"
    slug = re.sub(r"[^a-z0-9]+", "-", words.lower()).strip("-")[:80] or "return"
    suffix = "draft" if draft else f"submission-{content['number']}"
    return f"{slug}-{suffix}.pdf"
