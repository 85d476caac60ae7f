"""What another account on the machine can try against the user's companion (security.md, "L").

tests/processes/test_other_account.py runs this as `nobody`, with the system Python and the
standard library only (the test's virtualenv may not be readable by that account):

    setpriv --reuid=65534 --regid=65534 --clear-groups /usr/bin/python3 -I other_account.py

It reads one JSON object on stdin, {"command": ..., "port": ..., ...}, does what a hostile
local process would (any header can be forged: Origin, Sec-Fetch-Site, Host, Cookie), and
prints one JSON object on stdout with everything it was answered. The test decides what
counts as a leak; this script only reports.
"""

import hashlib
import http.client
import json
import os
import re
import secrets
import string
import subprocess
import sys
from urllib.parse import quote, urlencode

TIMEOUT_S = 10
COOKIE = "ssi_companion_session"
CSRF = re.compile(r"csrf_token[^>]*?value=\"([^\"]*)\"")
URLSAFE = string.ascii_letters + string.digits + "-_"


def random_urlsafe(n: int = 43) -> str:
    return "".join(secrets.choice(URLSAFE) for _ in range(n))


def random_extension_origin() -> str:
    return "chrome-extension://" + "".join(secrets.choice("abcdefghijklmnop") for _ in range(32))


def request(port: int, method: str, path: str, headers=None, body: bytes | None = None) -> dict:
    """One request on a fresh connection; the answer as JSON-able data."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT_S)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return {
            "method": method,
            "path": path,
            "sent": headers or {},
            "status": response.status,
            "headers": [[k.lower(), v] for k, v in response.getheaders()],
            "body": response.read().decode("utf-8", "replace"),
        }
    finally:
        conn.close()


def form(fields: dict) -> tuple[bytes, dict]:
    return urlencode(fields).encode(), {"Content-Type": "application/x-www-form-urlencoded"}


def as_json(value) -> tuple[bytes, dict]:
    return json.dumps(value).encode(), {"Content-Type": "application/json"}


def forged_page_headers(port: int) -> list[dict]:
    """Every way a process can claim that a request comes from the companion's own page."""
    own = f"http://127.0.0.1:{port}"
    return [
        {},
        {"Origin": own},
        {"Origin": own, "Sec-Fetch-Site": "same-origin"},
        {"Origin": "null", "Sec-Fetch-Site": "same-origin"},
        {"Sec-Fetch-Site": "same-origin", "Referer": own + "/settings"},
        {"Origin": f"http://localhost:{port}", "Host": f"localhost:{port}"},
    ]


def replay_cookies(port: int, answers: list[dict]) -> list[dict]:
    """Whatever cookie an answer set, sent back: does it open a page?"""
    replayed = []
    for answer in answers:
        for name, value in answer["headers"]:
            if name == "set-cookie":
                pair = value.split(";", 1)[0]
                replayed.append(request(port, "GET", "/", {"Cookie": pair}))
    return replayed


# -- the commands -----------------------------------------------------------------------------


def pages(args: dict) -> dict:
    port = args["port"]
    answers = [
        request(port, "GET", path, headers)
        for path in args["paths"]
        for headers in forged_page_headers(port)
    ]
    return {"answers": answers, "replayed": replay_cookies(port, answers)}


def csrf(args: dict) -> dict:
    """The old attack: read a form's CSRF value off a page, then ask for the token with it."""
    port = args["port"]
    scraped = []
    for path in ("/settings", "/pairing", "/", "/?range=all"):
        for headers in forged_page_headers(port):
            scraped += CSRF.findall(request(port, "GET", path, headers)["body"])
    guesses = [
        "",
        "0" * 64,
        secrets.token_hex(32),
        # The form token is an HMAC keyed by the session id: keyed by a made-up one instead.
        hashlib.sha256(random_urlsafe().encode()).hexdigest(),
    ]
    answers = []
    for value in [*scraped, *guesses]:
        for path in args["forms"]:
            for headers in forged_page_headers(port):
                body, content = form({"csrf_token": value, "stale_days": "9"})
                cookie = {"Cookie": f"{COOKIE}={random_urlsafe()}"}
                for extra in ({}, cookie):
                    answers.append(
                        request(port, "POST", path, {**headers, **content, **extra}, body)
                    )
    return {"scraped": scraped, "answers": answers, "replayed": replay_cookies(port, answers)}


def signin(args: dict) -> dict:
    """Sign-in codes and session cookies made up on the spot."""
    port = args["port"]
    codes = [random_urlsafe() for _ in range(args["tries"])]
    links = [request(port, "GET", "/signin?code=" + quote(code)) for code in codes]
    cookies = [random_urlsafe() for _ in range(args["tries"])]
    pages_ = [
        request(port, "GET", path, {"Cookie": f"{COOKIE}={cookie}"})
        for cookie in cookies
        for path in ("/", "/settings", "/export.json")
    ]
    return {"codes": codes, "links": links, "cookies": cookies, "pages": pages_}


def pair(args: dict) -> dict:
    """Ask to pair as a made-up extension, then approve that request (and others) oneself."""
    port = args["port"]
    origin = random_extension_origin()
    verifier = random_urlsafe(64)
    challenge = hashlib.sha256(verifier.encode()).hexdigest()
    body, content = as_json({"challenge": challenge})
    started = request(port, "POST", "/api/v1/pairing", {"Origin": origin, **content}, body)
    own = json.loads(started["body"]).get("pairing", {}) if started["status"] == 201 else {}
    approvals = []
    for request_id in [own.get("id", "none"), *args["other_ids"]]:
        for headers in forged_page_headers(port):
            for fields in ({}, {"csrf_token": ""}, {"csrf_token": secrets.token_hex(32)}):
                data, ctype = form(fields)
                cookie = {"Cookie": f"{COOKIE}={random_urlsafe()}"}
                for extra in ({}, cookie):
                    approvals.append(
                        request(
                            port,
                            "POST",
                            f"/pairing/{request_id}/approve",
                            {**headers, **ctype, **extra},
                            data,
                        )
                    )
    body, content = as_json({"verifier": verifier})
    polled = request(
        port, "POST", f"/api/v1/pairing/{own.get('id')}", {"Origin": origin, **content}, body
    )
    return {
        "origin": origin,
        "started": started,
        "own": own,
        "approvals": approvals,
        "polled": polled,
    }


def steal(args: dict) -> dict:
    """Knowing an approved request's id, code, origin and challenge: collect its token."""
    port, request_id, origin = args["port"], args["id"], args["origin"]
    path = f"/api/v1/pairing/{request_id}"
    bodies = [
        None,
        {},
        {"verifier": ""},
        {"verifier": random_urlsafe(43)},
        {"verifier": random_urlsafe(128)},
        {"verifier": args["code"]},
        {"verifier": args["code"] * 8},
        {"verifier": args["challenge"]},  # seen in transit: it is not the secret
        {"verifier": request_id * 3},
        {"challenge": args["challenge"]},
        {"verifier": random_urlsafe(43), "extra": 1},
    ]
    answers = []
    for who in (origin, None, random_extension_origin()):
        headers = {"Origin": who} if who else {}
        for value in bodies:
            if value is None:
                answers.append(request(port, "POST", path, headers))
                continue
            body, content = as_json(value)
            answers.append(request(port, "POST", path, {**headers, **content}, body))
    # Asking again as the extension's origin replaces only a pending request, never this one.
    body, content = as_json({"challenge": hashlib.sha256(b"mine").hexdigest()})
    answers.append(request(port, "POST", "/api/v1/pairing", {"Origin": origin, **content}, body))
    body, content = as_json({"verifier": random_urlsafe(43)})
    answers.append(request(port, "POST", path, {"Origin": origin, **content}, body))
    return {"answers": answers}


def api(args: dict) -> dict:
    """The API without the token, however the request dresses up."""
    port = args["port"]
    auths = [
        {},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer " + random_urlsafe()},
        {"Authorization": "Bearer " + random_urlsafe(), "Origin": args["origin"]},
        {"Origin": args["origin"], "Cookie": f"{COOKIE}={random_urlsafe()}"},
    ]
    answers = []
    for headers in auths:
        for path in args["gets"]:
            answers.append(request(port, "GET", path, headers))
        for path, value in args["posts"]:
            body, content = as_json(value)
            answers.append(request(port, "POST", path, {**headers, **content}, body))
    return {"answers": answers}


def _try(action) -> str:
    try:
        action()
    except OSError as exc:
        return type(exc).__name__
    return "ok"


def files(args: dict) -> dict:
    """Open, list, stat and write the user's files: the name of what each attempt raised."""
    tried = {}
    for path in args["read"]:
        tried["read " + path] = _try(lambda p=path: open(p, "rb").read(1))
    for path in args["list"]:
        tried["list " + path] = _try(lambda p=path: os.listdir(p))
    for path in args["stat"]:
        tried["stat " + path] = _try(lambda p=path: os.stat(p))
    for path in args["write"]:
        tried["write " + path] = _try(lambda p=path: open(p, "ab").close())
    for path in args["readlink"]:
        tried["readlink " + path] = _try(lambda p=path: os.readlink(p))
    return {"tried": tried}


def open_link(args: dict) -> dict:
    """`ssi-companion open --print` with the user's data dir, by an interpreter we can run."""
    attempts = []
    for interpreter, extra_env in args["interpreters"]:
        env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", **extra_env}
        try:
            check = subprocess.run(
                [interpreter, "-c", "import companion.cli"],
                env=env, capture_output=True, text=True, timeout=20,
            )  # fmt: skip
        except OSError as exc:
            attempts.append(f"{interpreter}: {type(exc).__name__}: {exc}")
            continue
        if check.returncode != 0:
            attempts.append(f"{interpreter}: cannot import companion: {check.stderr[-300:]}")
            continue
        ran = subprocess.run(
            [interpreter, "-m", "companion", "open", "--print"],
            env={**env, "SSI_COMPANION_HOME": args["home"]},
            capture_output=True, text=True, timeout=20,
        )  # fmt: skip
        return {
            "interpreter": interpreter,
            "returncode": ran.returncode,
            "stdout": ran.stdout,
            "stderr": ran.stderr,
        }
    return {"unavailable": attempts}


COMMANDS = {
    "pages": pages,
    "csrf": csrf,
    "signin": signin,
    "pair": pair,
    "steal": steal,
    "api": api,
    "files": files,
    "open": open_link,
}


def main() -> None:
    args = json.load(sys.stdin)
    result = COMMANDS[args["command"]](args)
    result["uid"], result["gid"], result["groups"] = os.getuid(), os.getgid(), os.getgroups()
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
