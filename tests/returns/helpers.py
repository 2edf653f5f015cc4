"""Saving a section as a page would: against the version and fields it was rendered from."""
from audit_app.returns.section_page import snapshot_section
from audit_app.returns.services import ReturnContext, save_section


def page_of(audit_return, section_id):
    """(version, fields) of the section page as it would be rendered now."""
    context = ReturnContext.of(audit_return)
    snapshot = snapshot_section(context, context.section(section_id))
    return snapshot.version, dict(snapshot.shown)


def save(audit_return, section_id, answers=None, comments=None, *, actor=None,
         complete=False, page=None):
    """Save ``answers`` and ``comments`` from a page rendered now (or from ``page``)."""
    version, fields = page if page is not None else page_of(audit_return, section_id)
    return save_section(audit_return, section_id, answers or {}, comments or {}, version,
                        fields, actor, complete)


def stored(audit_return):
    """Question id -> (value, comment) as stored."""
    from audit_app.returns.models import Answer

    return {row.question_key: (row.value, row.comment)
            for row in Answer.query.filter_by(return_id=audit_return.id)}
