// Starts GOV.UK Frontend's components (service navigation menu, error summary focus,
// notification banners, radios and checkboxes that reveal questions, ...). Every page works
// without it; this only adds behaviour.
import { initAll } from './govuk-frontend.min.js'

initAll()
