"""Production smoke test: the client side (run by .ci/production-smoke).

Two gunicorn servers (A and B) share PostgreSQL, Redis, S3 (moto) and the task workers.
Checks: log in on A and continue on B; upload a photo on A and fetch it on B; a reset mail
sent through the worker reaches the SMTP sink while another message is blackholed.
Usage: python .ci/production_smoke.py URL_A URL_B MAIL_DIR LOGIN PASSWORD EMAIL
"""

import io
import re
import sys
import time
from pathlib import Path

import requests
from PIL import Image

TIMEOUT = 20


def check(condition, message):
    if not condition:
        raise SystemExit(f"FAIL: {message}")
    print(f"ok - {message}", flush=True)


def csrf_from(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def main():
    url_a, url_b, mail_dir, login, password, email = sys.argv[1:7]
    mail_dir = Path(mail_dir)
    for url in (url_a, url_b):
        health = requests.get(f"{url}/healthcheck/", timeout=TIMEOUT)
        check(health.status_code == 200 and health.json()["status"] == "ok", f"{url} healthy")
        # A load balancer probes by the server's own address, not the portal's host name.
        probe = requests.get(
            f"{url}/healthcheck/", headers={"Host": "10.0.0.5:8000"}, timeout=TIMEOUT
        )
        check(probe.status_code == 200, f"{url} healthy for a probe by address")

    session = requests.Session()
    page = session.get(f"{url_a}/logowanie/", timeout=TIMEOUT)
    response = session.post(
        f"{url_a}/logowanie/",
        data={"login": login, "password": password, "csrfmiddlewaretoken": csrf_from(page.text)},
        headers={"Referer": f"{url_a}/logowanie/"},
        timeout=TIMEOUT,
    )
    check("Wyloguj" in response.text or "Dzień dobry" in response.text, "logged in on server A")
    start_b = session.get(f"{url_b}/", timeout=TIMEOUT)
    check(start_b.url.rstrip("/") == url_b and "Dzień dobry" in start_b.text, "session on B")

    # B's list of failures, asked for twice: kept in Redis (PAGE_CACHE) before the report on A.
    for _ in range(2):
        before_b = session.get(f"{url_b}/awarie/", timeout=TIMEOUT).text

    # A photo uploaded on A is served by B (S3-compatible storage shared by both).
    form = session.get(f"{url_a}/awarie/zglos/", timeout=TIMEOUT).text
    place = re.search(r'<option value="((?:lokal|budynek)-\d+)"', form).group(1)
    image = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(image, "JPEG")
    response = session.post(
        f"{url_a}/awarie/zglos/",
        data={
            "place": place,
            "description": "Smoke test: cieknie kran w łazience.",
            "contact_phone": "601200300",
            "csrfmiddlewaretoken": csrf_from(form),
        },
        files={"photos": ("kran.jpg", image.getvalue(), "image/jpeg")},
        headers={"Referer": f"{url_a}/awarie/zglos/"},
        timeout=TIMEOUT,
    )
    detail = re.search(r"/awarie/(\d+)/", response.url)
    check(response.status_code == 200 and detail, "failure with a photo reported on A")
    list_b = session.get(f"{url_b}/awarie/", timeout=TIMEOUT).text
    check(
        f"/awarie/{detail.group(1)}/" not in before_b and f"/awarie/{detail.group(1)}/" in list_b,
        "the report made on A is on B's kept list of failures at once",
    )
    page_b = session.get(f"{url_b}/awarie/{detail.group(1)}/", timeout=TIMEOUT).text
    photo_path = re.search(r"(/awarie/\d+/zdjecia/\d+/)", page_b).group(1)
    photo_b = session.get(f"{url_b}{photo_path}", timeout=TIMEOUT)
    photo_a = session.get(f"{url_a}{photo_path}", timeout=TIMEOUT)
    check(
        photo_b.status_code == 200
        and photo_b.headers["Content-Type"].startswith("image/")
        and photo_b.content == photo_a.content,
        "photo uploaded on A fetched on B",
    )

    # Password reset through the outbox and the worker, while the relay blackholes another mail.
    anonymous = requests.Session()
    page = anonymous.get(f"{url_b}/nie-pamietam-hasla/", timeout=TIMEOUT)
    started = time.monotonic()
    response = anonymous.post(
        f"{url_b}/nie-pamietam-hasla/",
        data={"login": login, "email": email, "csrfmiddlewaretoken": csrf_from(page.text)},
        headers={"Referer": f"{url_b}/nie-pamietam-hasla/"},
        timeout=TIMEOUT,
    )
    check(response.status_code == 200 and time.monotonic() - started < 5, "reset answered fast")
    deadline = time.monotonic() + 60
    found = None
    while time.monotonic() < deadline and found is None:
        for path in sorted(mail_dir.glob("*.eml")):
            text = path.read_text(errors="replace")
            if "nie-pamietam-hasla/klucz/" in text.replace("=\n", ""):
                found = text
        time.sleep(0.5)
    check(
        found is not None, f"reset mail at the SMTP sink after {time.monotonic() - started:.1f} s"
    )
    check(url_a in found.replace("=\n", ""), "reset link built from PORTAL_URL")
    check("Auto-Submitted: auto-generated" in found, "mail marked Auto-Submitted")


if __name__ == "__main__":
    main()
