"""Checks the notices a real SMTP server (aiosmtpd's Mailbox handler, started by .ci/run)
received while the browser journeys ran against `egov serve` with `notify.email = "smtp"`.

Each journey's citizen registered with an e-mail address and the journey's language; their
application was sent, asked for more, decided and issued, and a report they sent stays open.
Each citizen must have received, in their own language, the receipt of every application and,
for the decided one, the notice of each of those steps, with the receipt number in the
subject; every message must name its language and carry the link to the application.

Usage: check_mailbox.py MAILDIR [SECONDS]  (waits up to SECONDS for the last notices)
"""

import mailbox
import re
import sys
import time
from email.header import decode_header, make_header

# What each language's subject says for each step (the modules' default messages).
SUBJECTS = {
    "en": {
        "submit": "We have your application",
        "request_supplement": "The agency needs more from you",
        "decide": "A decision has been made",
        "issue": "Your document has been issued",
    },
    "ko": {
        "submit": "신청이 접수되었습니다",
        "request_supplement": "보완이 필요합니다",
        "decide": "결정되었습니다",
        "issue": "문서가 발급되었습니다",
    },
}


def messages(path):
    box = mailbox.Maildir(path, create=False)
    for m in box:
        subject = str(make_header(decode_header(m["Subject"] or "")))
        body = m.get_payload(decode=True).decode(m.get_content_charset() or "utf-8")
        yield m["To"], m["Content-Language"], subject, body


def check(path):
    problems, seen = [], {}
    for to, lang, subject, body in messages(path):
        match = re.match(r"^\[(?:Application|민원) (\S+)\] (.*)$", subject)
        if not match:
            continue
        receipt, words = match.groups()
        if lang not in SUBJECTS:
            problems.append(f"{to}: Content-Language {lang!r}")
            continue
        if "/my/applications/" not in body:
            problems.append(f"{to}: {subject!r} has no link to the application")
        seen.setdefault((to, lang, receipt), set()).add(words)
    if not seen:
        return ["no notice about an application arrived"], seen
    complete = set()
    for (to, lang, receipt), got in seen.items():
        # Every application sent gets its receipt; one that was decided got every step's.
        wanted = SUBJECTS[lang]
        if wanted["decide"] in got:
            missing = [w for w in wanted.values() if w not in got]
            complete.add(lang)
        else:
            missing = [w for w in [wanted["submit"]] if w not in got]
        if missing:
            problems.append(f"{to} ({lang}, {receipt}) did not get: {missing}; got {sorted(got)}")
    if complete != set(SUBJECTS):
        problems.append(f"a whole journey's notices arrived only in {sorted(complete)}")
    return problems, seen


def main():
    path = sys.argv[1]
    deadline = time.time() + (float(sys.argv[2]) if len(sys.argv) > 2 else 30)
    while True:
        problems, seen = check(path)
        if not problems or time.time() > deadline:
            break
        time.sleep(1)
    for (to, lang, receipt), got in sorted(seen.items()):
        print(f"  {to} ({lang}) {receipt}: {len(got)} kinds of notice")
    if problems:
        print("mail check failed:\n  " + "\n  ".join(problems))
        sys.exit(1)
    print(f"mail check: {len(seen)} applicants got every notice in their language")


if __name__ == "__main__":
    main()
