"""The home page's form for people who work in more than one partnership."""
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput
from wtforms import SelectField, SubmitField


class ChoosePartnershipForm(FlaskForm):
    """Posted to auth.choose_partnership, which checks the choice against the grants."""

    partnership_id = SelectField("Partnership", coerce=int, widget=GovSelect())
    submit = SubmitField("Change partnership", widget=GovSubmitInput())


def choose_partnership_form(current, others) -> ChoosePartnershipForm | None:
    if not others:
        return None
    form = ChoosePartnershipForm()
    choices = ([(current.id, current.name)] if current is not None else []) + \
        [(partnership.id, partnership.name) for partnership in others]
    form.partnership_id.choices = sorted(choices, key=lambda choice: choice[1])
    if current is not None:
        form.partnership_id.data = current.id
    return form
