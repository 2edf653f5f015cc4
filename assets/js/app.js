// Starts GOV.UK Frontend's components (service navigation menu, error summary focus,
// notification banners, radios and checkboxes that reveal questions, ...) and the
// respondent journey's behaviour: conditional questions shown as they apply, autosave, and
// the session timeout warning. Every page works without it; this only adds behaviour.
import { initAll } from './govuk-frontend.min.js'
import { initConditionalQuestions } from './conditional-questions.js'
import { initAutosave } from './autosave.js'
import { initSessionTimeout } from './session-timeout.js'

initAll()
initConditionalQuestions()
initAutosave()
initSessionTimeout()
