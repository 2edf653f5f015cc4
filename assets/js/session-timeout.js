// Warns two minutes before the session times out for want of activity (WCAG 2.2.1): a modal
// dialog takes the focus and offers "Stay signed in", which calls the keep-alive address.
// If the session ends anyway, the page is told ("app:session-expired") so that unsaved
// answers are kept in the browser, and the dialog offers to sign in again.
//
// Settings come from an element on the page:
//   <div data-module="app-session-timeout" data-seconds-left="1799" data-warn-seconds="120"
//        data-keep-alive-url="/returns/keep-alive" hidden></div>
// Any request that reports `seconds_left` (autosave does) moves the timer on through the
// "app:session-extended" event.

function minutesWords (seconds) {
  const minutes = Math.max(1, Math.round(seconds / 60))
  return minutes === 1 ? '1 minute' : `${minutes} minutes`
}

function csrfToken () {
  const input = document.querySelector('input[name="csrf_token"]')
  return input ? input.value : ''
}

function element (tag, attributes = {}, text = '') {
  const node = document.createElement(tag)
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value)
  if (text) node.textContent = text
  return node
}

class SessionTimeout {
  constructor (settings) {
    this.warnSeconds = Number(settings.dataset.warnSeconds) || 120
    this.keepAliveUrl = settings.dataset.keepAliveUrl
    this.dialog = null
    this.expired = false
    document.addEventListener('app:session-extended', event => this.schedule(event.detail.secondsLeft))
    this.schedule(Number(settings.dataset.secondsLeft))
  }

  schedule (secondsLeft) {
    if (this.expired || !Number.isFinite(secondsLeft)) return
    window.clearTimeout(this.warnTimer)
    window.clearTimeout(this.endTimer)
    this.warnTimer = window.setTimeout(() => this.warn(secondsLeft),
      Math.max(0, secondsLeft - this.warnSeconds) * 1000)
    this.endTimer = window.setTimeout(() => this.expire(), secondsLeft * 1000)
    this.close()
  }

  build () {
    const dialog = element('dialog', {
      class: 'app-timeout-dialog',
      'aria-modal': 'true',
      'aria-labelledby': 'app-timeout-title',
      'aria-describedby': 'app-timeout-text'
    })
    this.title = element('h2', { class: 'govuk-heading-m', id: 'app-timeout-title' })
    this.text = element('p', { class: 'govuk-body', id: 'app-timeout-text' })
    this.button = element('button', { type: 'button', class: 'govuk-button', 'data-module': 'govuk-button' })
    this.button.addEventListener('click', () => (this.expired ? window.location.reload() : this.stay()))
    // Escape means "I am still here" too.
    dialog.addEventListener('cancel', event => {
      event.preventDefault()
      if (!this.expired) this.stay()
    })
    dialog.append(this.title, this.text, this.button)
    document.body.append(dialog)
    this.dialog = dialog
  }

  show (title, text, button) {
    if (!this.dialog) this.build()
    this.title.textContent = title
    this.text.textContent = text
    this.button.textContent = button
    if (!this.dialog.open) this.dialog.showModal()
    this.button.focus()
  }

  close () {
    if (this.dialog && this.dialog.open) this.dialog.close()
  }

  warn (secondsLeft) {
    this.show('You are about to be signed out',
      `For your security, we will sign you out in ${minutesWords(Math.min(secondsLeft, this.warnSeconds))} ` +
      'if you do nothing. Answers you have saved are kept.',
      'Stay signed in')
  }

  async stay () {
    const body = new FormData()
    body.append('csrf_token', csrfToken())
    try {
      const response = await fetch(this.keepAliveUrl, {
        method: 'POST', body, credentials: 'same-origin', redirect: 'manual',
        headers: { Accept: 'application/json' }
      })
      if (response.type === 'opaqueredirect' || !response.ok) {
        this.expire()
        return
      }
      const data = await response.json()
      this.schedule(data.seconds_left)
    } catch {
      this.text.textContent = 'We could not reach the service. Check your connection and try again.'
    }
  }

  expire () {
    this.expired = true
    window.clearTimeout(this.warnTimer)
    window.clearTimeout(this.endTimer)
    document.dispatchEvent(new CustomEvent('app:session-expired'))
    this.show('You have been signed out',
      'You did nothing for a while, so we signed you out to protect your information. ' +
      'Answers you had not saved are kept in this browser tab: sign in again to save them.',
      'Sign in again')
  }
}

export function initSessionTimeout (root = document) {
  const settings = root.querySelector('[data-module="app-session-timeout"]')
  if (settings && settings.dataset.keepAliveUrl) new SessionTimeout(settings)
}
