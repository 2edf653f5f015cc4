// Shows and hides a section page's conditional questions as the person answers, using the
// same rules as the server (audit_app/questionnaires/conditions.py): a leaf tests an
// organisation attribute or an earlier answer with `in`, `not_in` or `min`/`max`; `all`,
// `any` and `not` combine them; a condition that cannot be read does not hold. The server
// decides what applies whenever the page is saved: this only spares a round trip.

const MAX_DEPTH = 32
const WHOLE_NUMBER = /^[+-]?\d{1,15}$/
// Python's float(): digits may be grouped with single underscores.
const DIGITS = '\\d+(?:_\\d+)*'
const NUMBER_TEXT = new RegExp(`^[+-]?(?:${DIGITS}(?:\\.(?:${DIGITS})?)?|\\.${DIGITS})(?:e[+-]?${DIGITS})?$`, 'i')
const DATE_PARTS = /^\d+$/

class Unreadable extends Error {}

function has (object, key) {
  return object !== null && typeof object === 'object' && Object.prototype.hasOwnProperty.call(object, key)
}

// One comparable form for a scalar: true and "true" match, so do 0 and "0"; case is ignored.
export function tokenOf (value) {
  if (value === null || value === undefined || typeof value === 'object') return null
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : null
  if (typeof value === 'string') {
    const token = value.trim().toLowerCase()
    return token === '' ? null : token
  }
  return null
}

// A finite number from a number or numeric text; null otherwise (true is not 1).
export function numberOf (value) {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null
  if (typeof value !== 'string') return null
  const text = value.trim().replaceAll(',', '')
  if (!NUMBER_TEXT.test(text)) return null
  const number = Number(text.replaceAll('_', ''))
  return Number.isFinite(number) ? number : null
}

function tokens (value) {
  const values = Array.isArray(value) ? value : [value]
  return values.map(tokenOf).filter(token => token !== null)
}

function matchesAny (value, wanted) {
  if (!Array.isArray(wanted)) throw new Unreadable()
  const wantedTokens = new Set(wanted.map(tokenOf).filter(token => token !== null))
  return tokens(value).some(token => wantedTokens.has(token))
}

function within (value, low, high) {
  const number = numberOf(value)
  if (number === null) return false
  const hasLow = low !== null && low !== undefined
  const hasHigh = high !== null && high !== undefined
  if (hasLow) {
    const bound = numberOf(low)
    if (bound === null || number < bound) return false
  }
  if (hasHigh) {
    const bound = numberOf(high)
    if (bound === null || number > bound) return false
  }
  return hasLow || hasHigh
}

function leafHolds (condition, value) {
  if (has(condition, 'in')) return matchesAny(value, condition.in)
  if (has(condition, 'not_in')) return !matchesAny(value, condition.not_in)
  if (has(condition, 'min') || has(condition, 'max')) return within(value, condition.min, condition.max)
  throw new Unreadable()
}

function evaluateNode (condition, answers, org, depth) {
  if (condition === null || typeof condition !== 'object' || Array.isArray(condition) || depth > MAX_DEPTH) {
    throw new Unreadable()
  }
  if (has(condition, 'all') || has(condition, 'any')) {
    const parts = has(condition, 'all') ? condition.all : condition.any
    if (!Array.isArray(parts)) throw new Unreadable()
    const results = parts.map(part => evaluateNode(part, answers, org, depth + 1))
    return has(condition, 'all') ? results.every(Boolean) : results.some(Boolean)
  }
  if (has(condition, 'not')) return !evaluateNode(condition.not, answers, org, depth + 1)
  let value
  if (has(condition, 'org')) {
    value = typeof condition.org === 'string' && has(org, condition.org) ? org[condition.org] : null
  } else if (has(condition, 'question')) {
    value = typeof condition.question === 'string' && has(answers, condition.question) ? answers[condition.question] : null
  } else {
    throw new Unreadable()
  }
  return leafHolds(condition, value)
}

// Whether `condition` holds for these answers (question id -> value) and organisation
// attributes. A missing condition holds; one that cannot be read does not.
export function evaluate (condition, answers, org) {
  if (condition === null || condition === undefined) return true
  try {
    return evaluateNode(condition, answers || {}, org || {}, 0)
  } catch (error) {
    if (error instanceof Unreadable) return false
    throw error
  }
}

function dateValue (inputs) {
  const [day, month, year] = inputs.map(input => input.value.trim())
  if (![day, month, year].every(part => DATE_PARTS.test(part)) || year.length !== 4) return null
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)))
  if (date.getUTCFullYear() !== Number(year) || date.getUTCMonth() !== Number(month) - 1 ||
      date.getUTCDate() !== Number(day)) return null
  return date.toISOString().slice(0, 10)
}

// The answer a question's inputs hold now, as the server would read it; null when none.
function answerOf (form, questionId, type) {
  const inputs = [...form.querySelectorAll('[name]')].filter(input => input.name === questionId)
  if (type === 'multi_choice') {
    const chosen = inputs.filter(input => input.checked).map(input => input.value)
    return chosen.length ? chosen : null
  }
  if (inputs.some(input => input.type === 'radio')) {
    const chosen = inputs.find(input => input.checked)
    return chosen ? chosen.value : null
  }
  if (type === 'date') return inputs.length === 3 ? dateValue(inputs) : null
  const text = inputs.length ? inputs[0].value.trim() : ''
  if (text === '') return null
  if (type === 'number') {
    const digits = text.replaceAll(',', '').replaceAll(' ', '')
    return WHOLE_NUMBER.test(digits) ? Number.parseInt(digits, 10) : null
  }
  return text
}

function parseJson (text, fallback) {
  try {
    return JSON.parse(text || '')
  } catch {
    return fallback
  }
}

class ConditionalQuestions {
  constructor (form) {
    this.form = form
    this.org = parseJson(form.dataset.orgAttributes, {})
    this.otherAnswers = parseJson(form.dataset.conditionAnswers, {})
    this.questions = [...form.querySelectorAll('[data-question-id]')].map(element => ({
      element,
      id: element.dataset.questionId,
      type: element.dataset.questionType,
      condition: element.dataset.showIf ? parseJson(element.dataset.showIf, { unreadable: true }) : null
    }))
    form.addEventListener('change', () => this.update())
    form.addEventListener('input', () => this.update())
    this.update()
  }

  // In page order, as the server does: a question that does not apply counts as
  // unanswered for the questions after it.
  update () {
    const counted = { ...this.otherAnswers }
    for (const question of this.questions) {
      const applies = evaluate(question.condition, counted, this.org)
      question.element.hidden = !applies
      if (!applies) continue
      const value = answerOf(this.form, question.id, question.type)
      if (value !== null) counted[question.id] = value
    }
  }
}

export function initConditionalQuestions (root = document) {
  root.querySelectorAll('form[data-org-attributes]').forEach(form => new ConditionalQuestions(form))
}
