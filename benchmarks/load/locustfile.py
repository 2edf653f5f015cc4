"""The load test's people, as the service sees them in the busy weeks of a cycle.

- Respondents (most users) each work on their own return: open a section, then change an
  answer every 5 to 15 seconds, saved in the background through the section's autosave
  address exactly as the page's script posts it (the whole form, with its CSRF token, version
  and signed base), and now and then go back to the task list and open another section.
- Reviewers open their queue, open a submitted return and one of its answers, and moderate it
  (agree, or override with a reason), reading for 10 to 30 seconds between steps.
- QA members open the dashboard and the reports, and now and then download an export.

benchmarks/load/run.py starts everything and passes, through the environment:
LOAD_RESPONDENTS (a CSV file of ``email,return_id``), LOAD_PASSWORD, LOAD_STAFF_PASSWORD and
LOAD_TOTP (the demo seed's output, whose ``TOTP <email> <secret>`` lines give the staff
accounts' two-factor secrets, when the seed enrols them).
"""
import csv
import itertools
import os
import random
import re
import time
from urllib.parse import urljoin, urlsplit

import gevent.lock
import pyotp
from locust import HttpUser, between, events, task
from locust.exception import StopUser

from html_forms import form_posting_to, form_with_field

REVIEWERS = ("sase@example.org", "qaofficer@example.org")
QA = "qa@example.org"
SECTION_LINK = re.compile(r'href="(/returns/\d+/sections/[\w-]+)"')
REVIEW_RETURN_LINK = re.compile(r'href="/review/returns/(\d+)"')
REVIEW_QUESTION_LINK = re.compile(r'href="(/review/returns/\d+/questions/[\w-]+)"')
REPORT_CYCLE_LINK = re.compile(r'href="/reports/cycles/(\d+)"')
DOWNLOAD_LINK = re.compile(r'href="(/reports/cycles/\d+/download/(\w+))[^"]*"')


def totp_secrets() -> dict:
    path = os.environ.get("LOAD_TOTP")
    if not path or not os.path.exists(path):
        return {}
    with open(path, encoding="utf-8") as handle:
        return {parts[1]: parts[2] for parts in (line.split() for line in handle)
                if len(parts) == 3 and parts[0] == "TOTP"}


def respondent_rows():
    with open(os.environ["LOAD_RESPONDENTS"], encoding="utf-8") as handle:
        return [(email, int(return_id)) for email, return_id in csv.reader(handle)]


class Shared:
    """State of the whole run (one locust process, many greenlets)."""

    respondents = None
    totp = None
    staff_cookies: dict = {}
    staff_locks: dict = {}
    reports_present = None

    @classmethod
    def next_respondent(cls):
        if cls.respondents is None:
            cls.respondents = iter(respondent_rows())
        return next(cls.respondents)


class Samples:
    """Every request as one CSV line (time, name, milliseconds, failed), and the moment every
    user had started, so that run.py can report the run at full load apart from the ramp."""

    handle = None
    writer = None

    @classmethod
    def write(cls, *row):
        if cls.writer is not None:
            cls.writer.writerow(row)


@events.init.add_listener
def _open_samples(environment, **_kwargs):
    path = os.environ.get("LOAD_SAMPLES")
    if path:
        Samples.handle = open(path, "w", newline="", encoding="utf-8")
        Samples.writer = csv.writer(Samples.handle)


@events.request.add_listener
def _sample(name, response_time, exception, **_kwargs):
    Samples.write(f"{time.time():.3f}", name, f"{response_time:.1f}",
                  0 if exception is None else 1)


@events.spawning_complete.add_listener
def _ramped(user_count, **_kwargs):
    Samples.write(f"{time.time():.3f}", "", "", "", f"all {user_count} users started")


@events.quitting.add_listener
def _close_samples(environment, **_kwargs):
    if Samples.handle is not None:
        Samples.handle.close()
        Samples.writer = None


@events.test_start.add_listener
def _probe_reports(environment, **_kwargs):
    # The reports pages may not exist yet: ask once, signed out (an existing page sends the
    # visitor to sign in; a missing one is a 404), and say so once rather than per request.
    import requests

    response = requests.get(urljoin(environment.host, "/reports/"), allow_redirects=False,
                            timeout=10)
    Shared.reports_present = response.status_code != 404
    if not Shared.reports_present:
        print("SKIP reports: /reports/ does not exist yet (404), so QA users only open the "
              "dashboard and download nothing", flush=True)


class SignedIn(HttpUser):
    abstract = True
    # Set when on_start could not sign in: the user's first task then stops it (locust
    # handles StopUser in tasks, not in on_start).
    unable = False

    def stop_if_unable(self):
        if self.unable:
            raise StopUser()

    def sign_in(self, email: str, password: str) -> bool:
        """Sign in as the browser does. Each step is timed on its own (no redirect is
        followed inside a POST), so that the password check is not mixed with the pages."""
        page = self.client.get("/sign-in", name="GET /sign-in")
        form = form_with_field(page.text, "email") or {"fields": []}
        data = [field for field in form["fields"] if field[0] == "csrf_token"]
        data += [["email", email], ["password", password]]
        with self.client.post("/sign-in", data=data, name="POST /sign-in",
                              allow_redirects=False, catch_response=True) as response:
            target = response.headers.get("Location", "")
            if response.status_code != 302:
                response.failure(f"sign-in refused for {email} ({response.status_code})")
                return False
            if urlsplit(target).path.startswith("/account/two-factor/set-up"):
                response.failure(f"{email} must set up two-factor sign-in first: the demo "
                                 "seed should have enrolled it")
                return False
        if urlsplit(target).path.startswith("/sign-in/two-factor"):
            return self._second_factor(email, urljoin(response.url, target))
        self.client.get(urljoin(response.url, target), name="GET /dashboard")
        return True

    def _second_factor(self, email: str, url: str) -> bool:
        secret = Shared.totp.get(email)
        if not secret:
            print(f"ERROR {email} needs a two-factor code but the demo seed printed no TOTP "
                  "line for it", flush=True)
            return False
        page = self.client.get(url, name="GET /sign-in/two-factor")
        form = form_with_field(page.text, "code")
        if form is None:
            print(f"ERROR {email}: the two-factor page has no code field", flush=True)
            return False
        data = [field for field in form["fields"] if field[0] == "csrf_token"]
        data.append(["code", pyotp.TOTP(secret).now()])
        # The form posts to its own address (with the page's ?next=) when it has no action.
        with self.client.post(urljoin(url, form["action"] or url), data=data,
                              name="POST /sign-in/two-factor", allow_redirects=False,
                              catch_response=True) as answer:
            if answer.status_code != 302:
                answer.failure(f"two-factor code refused for {email} ({answer.status_code})")
                return False
        self.client.get(urljoin(url, answer.headers["Location"]), name="GET /dashboard")
        return True

    def sign_in_staff(self, email: str) -> bool:
        """Staff accounts are few and their codes work once, so the simulated staff of one
        account share its session, like one person with several tabs: the first signs in,
        the others take its cookie."""
        if Shared.totp is None:
            Shared.totp = totp_secrets()
        lock = Shared.staff_locks.setdefault(email, gevent.lock.Semaphore())
        with lock:
            if email not in Shared.staff_cookies:
                if not self.sign_in(email, os.environ["LOAD_STAFF_PASSWORD"]):
                    return False
                Shared.staff_cookies[email] = self.client.cookies.get_dict()
        self.client.cookies.update(Shared.staff_cookies[email])
        return True


class Respondent(SignedIn):
    weight = 1  # everyone not given a fixed number below
    wait_time = between(5, 15)

    def on_start(self):
        self.email, self.return_id = Shared.next_respondent()
        self.saves_left = 0
        self.form = None
        if not self.sign_in(self.email, os.environ["LOAD_PASSWORD"]):
            self.unable = True
            return
        page = self.client.get(f"/returns/{self.return_id}", name="GET /returns/[id]")
        self.sections = sorted(set(SECTION_LINK.findall(page.text)))
        if not self.sections:
            print(f"ERROR {self.email}: no sections on the task list of return "
                  f"{self.return_id}", flush=True)
            self.unable = True
            return
        self.open_section()

    def open_section(self):
        self.section = random.choice(self.sections)
        page = self.client.get(self.section, name="GET /returns/[id]/sections/[section]")
        self.form = form_posting_to(page.text, self.section)
        self.choices = {name: values for name, values in (self.form or {}).get(
            "radios", {}).items() if len(values) > 1}
        self.saves_left = random.randint(3, 8)

    @task
    def change_an_answer(self):
        self.stop_if_unable()
        if self.form is None or not self.choices or self.saves_left <= 0:
            self.client.get(f"/returns/{self.return_id}", name="GET /returns/[id]")
            self.open_section()
            return
        fields = self.form["fields"]
        name = random.choice(sorted(self.choices))
        current = next((value for key, value in fields if key == name), None)
        fields[:] = [field for field in fields if field[0] != name]
        fields.append([name, random.choice([v for v in self.choices[name] if v != current])])
        if random.random() < 0.3:
            comment = f"{name}__comment"
            fields[:] = [field for field in fields if field[0] != comment]
            fields.append([comment, f"Checked with the head on {random.randint(1, 28)} "
                                    "November; the record is kept in the office."])
        self.saves_left -= 1
        self.autosave()

    def autosave(self):
        with self.client.post(f"{self.section}/autosave", data=self.form["fields"],
                              headers={"Accept": "application/json"},
                              name="POST /returns/[id]/sections/[section]/autosave",
                              allow_redirects=False, catch_response=True) as response:
            try:
                body = response.json()
            except ValueError:
                response.failure(f"autosave answered {response.status_code} without JSON")
                self.form = None
                return
            if response.status_code != 200 or body.get("status") != "saved":
                response.failure(f"autosave {response.status_code} {body.get('status')}: "
                                 f"{body.get('message')}")
                self.form = None
                return
        for field in self.form["fields"]:
            if field[0] in ("version", "base"):
                field[1] = str(body[field[0]])


class Reviewer(SignedIn):
    fixed_count = 6
    wait_time = between(10, 30)
    accounts = itertools.cycle(REVIEWERS)

    def on_start(self):
        self.email = next(Reviewer.accounts)
        self.unable = not self.sign_in_staff(self.email)

    @task
    def moderate_an_answer(self):
        self.stop_if_unable()
        queue = self.client.get("/review/?status=submitted", name="GET /review/")
        returns = REVIEW_RETURN_LINK.findall(queue.text)
        if not returns:
            return
        return_id = random.choice(returns)
        review = self.client.get(f"/review/returns/{return_id}",
                                 name="GET /review/returns/[id]")
        questions = REVIEW_QUESTION_LINK.findall(review.text)
        if not questions:
            return
        self.wait()
        question = random.choice(questions)
        page = self.client.get(question, name="GET /review/returns/[id]/questions/[question]")
        form = form_posting_to(page.text, "/moderate")
        if form is None or not form["radios"].get("rating"):
            return  # not this reviewer's to moderate (another's scope, or not submitted)
        self.wait()
        data = [field for field in form["fields"] if field[0] not in ("rating", "reason")]
        rating = random.choice(form["radios"]["rating"])
        data.append(["rating", rating])
        if rating != "agree":
            data.append(["reason", "The evidence described does not support this rating "
                                   "for every part of the standard."])
        with self.client.post(form["action"], data=data, allow_redirects=False,
                              name="POST /review/returns/[id]/questions/[question]/moderate",
                              catch_response=True) as response:
            if response.status_code != 302:
                response.failure(f"moderation answered {response.status_code}")
                return
        self.client.get(response.headers["Location"], name="GET /review/returns/[id]")


class QaMember(SignedIn):
    fixed_count = 4
    wait_time = between(20, 60)

    def on_start(self):
        self.unable = not self.sign_in_staff(QA)

    @task(3)
    def dashboard(self):
        self.stop_if_unable()
        self.client.get("/dashboard", name="GET /dashboard")

    @task(3)
    def report(self):
        self.stop_if_unable()
        if not Shared.reports_present:
            return
        index = self.client.get("/reports/", name="GET /reports/")
        cycles = REPORT_CYCLE_LINK.findall(index.text)
        if not cycles:
            return
        page = self.client.get(f"/reports/cycles/{random.choice(cycles)}",
                               name="GET /reports/cycles/[id]")
        self.downloads = DOWNLOAD_LINK.findall(page.text)

    @task(1)
    def export(self):
        self.stop_if_unable()
        downloads = getattr(self, "downloads", None)
        if not Shared.reports_present or not downloads:
            return
        url, format_name = random.choice(downloads)
        self.client.get(url, name=f"GET /reports/cycles/[id]/download/{format_name}")
