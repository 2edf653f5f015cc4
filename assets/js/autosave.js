// Saves a section page in the background while the person works: when something has
// changed, at most every 30 seconds and whenever they leave a field. It posts the whole
// form (with its CSRF token, version and signed base) to the page's autosave address and
// says "Saved at 10:42" in a live region. The page's own buttons still work without it.
//
// Nothing typed is lost when the session ends: unsaved answers are kept in this tab's
// sessionStorage and sent again once the person has signed in and is back on the page.

const INTERVAL_MS = 30 * 1000
const STORE_PREFIX = 'app-autosave:'
const NOT_COMPARED = new Set(['csrf_token', 'version', 'base', 'action'])

function entriesOf (form) {
  return [...new FormData(form).entries()]
    .filter(([, value]) => typeof value === 'string')
}

function comparable (form) {
  return new URLSearchParams(entriesOf(form).filter(([name]) => !NOT_COMPARED.has(name))).toString()
}

function timeNow () {
  return new Date().toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' })
}

class Autosave {
  constructor (form) {
    this.form = form
    this.url = form.dataset.autosaveUrl
    this.storeKey = STORE_PREFIX + form.dataset.autosaveKey
    this.status = document.getElementById(form.dataset.autosaveStatus)
    this.lastSaved = comparable(form)
    this.lastAttempt = 0
    this.timer = null
    this.inFlight = false
    this.pending = false
    this.stopped = false

    form.addEventListener('input', () => this.changed())
    form.addEventListener('change', () => this.changed())
    form.addEventListener('focusout', () => this.saveNow())
    form.addEventListener('submit', () => {
      this.stopped = true
      this.forgetLocally()
    })
    document.addEventListener('app:session-expired', () => this.signedOut())
    this.restore()
  }

  dirty () {
    return comparable(this.form) !== this.lastSaved
  }

  announce (message, link) {
    if (!this.status) return
    this.status.textContent = message
    if (link) {
      const anchor = document.createElement('a')
      anchor.className = 'govuk-link'
      anchor.href = link.href
      anchor.textContent = link.text
      this.status.append(' ', anchor)
    }
  }

  changed () {
    if (this.stopped || !this.dirty()) return
    this.keepLocally()
    if (this.timer === null) {
      const wait = Math.max(0, this.lastAttempt + INTERVAL_MS - Date.now())
      this.timer = window.setTimeout(() => this.saveNow(), wait)
    }
  }

  saveNow () {
    window.clearTimeout(this.timer)
    this.timer = null
    if (this.stopped || !this.dirty()) return
    if (this.inFlight) {
      this.pending = true
      return
    }
    this.send()
  }

  async send () {
    const sent = comparable(this.form)
    this.inFlight = true
    this.lastAttempt = Date.now()
    try {
      const response = await fetch(this.url, {
        method: 'POST',
        body: new FormData(this.form),
        credentials: 'same-origin',
        redirect: 'manual',
        headers: { Accept: 'application/json' }
      })
      if (response.type === 'opaqueredirect' || response.status === 401) {
        this.signedOut()
        return
      }
      const data = await response.json().catch(() => ({}))
      this.handle(response.status, data, sent)
    } catch {
      this.keepLocally()
      this.retryLater()
      this.announce('Your latest answers have not been saved: check your connection. We will try again.')
    } finally {
      this.inFlight = false
      if (this.pending && !this.stopped) {
        this.pending = false
        this.changed()
      }
    }
  }

  handle (status, data, sent) {
    if (Number.isFinite(data.seconds_left)) {
      document.dispatchEvent(new CustomEvent('app:session-extended', { detail: { secondsLeft: data.seconds_left } }))
    }
    if (status === 200 && data.status === 'saved') {
      this.form.elements.version.value = data.version
      this.form.elements.base.value = data.base
      this.lastSaved = sent
      if (this.dirty()) {
        this.keepLocally()
        this.changed()
      } else {
        this.forgetLocally()
      }
      this.announce(`Saved at ${data.saved_at || timeNow()}`)
      return
    }
    if (status === 409 || status === 400) {
      // A conflict, a locked return or an out-of-date page: the person decides, through
      // the page's own buttons.
      this.stopped = true
    }
    if (status >= 500) {
      // The service is unavailable for a while (its database away, a restart): the answers
      // stay in this tab and are sent again without the person doing anything.
      this.keepLocally()
      this.retryLater()
    }
    this.announce(data.message || 'Your latest answers have not been saved. Select ‘Save as draft’ to save them.')
  }

  retryLater () {
    if (this.stopped || this.timer !== null) return
    this.timer = window.setTimeout(() => this.saveNow(), INTERVAL_MS)
  }

  keepLocally () {
    try {
      window.sessionStorage.setItem(this.storeKey, JSON.stringify({
        entries: entriesOf(this.form).filter(([name]) => name !== 'csrf_token')
      }))
    } catch {
      // Storage full or refused (private browsing): autosave still runs.
    }
  }

  forgetLocally () {
    try {
      window.sessionStorage.removeItem(this.storeKey)
    } catch {}
  }

  signedOut () {
    if (this.dirty()) this.keepLocally()
    this.stopped = true
    this.announce('You have been signed out, so your latest answers have not been saved yet. ' +
      'They are kept in this browser tab and will be saved when you sign in again.',
    { href: window.location.pathname, text: 'Sign in again' })
  }

  // Answers kept from before the person was signed out: put them back and save them,
  // against the version they were typed on (the server merges any changes since).
  restore () {
    let stored = null
    try {
      stored = JSON.parse(window.sessionStorage.getItem(this.storeKey) || 'null')
    } catch {
      stored = null
    }
    if (!stored || !Array.isArray(stored.entries)) return
    const byName = new Map()
    for (const [name, value] of stored.entries) {
      if (!byName.has(name)) byName.set(name, [])
      byName.get(name).push(value)
    }
    for (const element of this.form.elements) {
      if (!element.name || element.name === 'csrf_token' || element.type === 'submit') continue
      const values = byName.get(element.name) || []
      if (element.type === 'radio' || element.type === 'checkbox') {
        element.checked = values.includes(element.value)
      } else if (byName.has(element.name)) {
        const sameName = [...this.form.elements].filter(other => other.name === element.name)
        element.value = values[sameName.indexOf(element)] ?? ''
      }
    }
    this.form.dispatchEvent(new Event('change'))
    this.announce('The answers you entered before you were signed out have been put back. Saving them now.')
    this.saveNow()
  }
}

export function initAutosave (root = document) {
  root.querySelectorAll('form[data-module="app-autosave"]').forEach(form => {
    // A page that asks the person to choose between answers is saved by its buttons only.
    if (!form.elements.conflicts) new Autosave(form)
  })
}
