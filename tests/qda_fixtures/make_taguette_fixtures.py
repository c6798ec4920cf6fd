"""Produce the Taguette fixtures in tests/qda_fixtures/taguette/ with a real Taguette server.

Run with Taguette installed in a throwaway virtual environment (never the project's .venv)::

    python3 -m venv /tmp/taguette-venv
    /tmp/taguette-venv/bin/pip install taguette
    python3 tests/qda_fixtures/make_taguette_fixtures.py --taguette /tmp/taguette-venv/bin/taguette

The script starts ``taguette --no-browser`` bound to 127.0.0.1 with a fresh SQLite database in a
temporary folder, logs in with the single-user token Taguette prints, creates a project, tags and
documents, highlights passages through the same HTTP API the Taguette web page uses, downloads the
highlight exports (CSV and XLSX) and the REFI-QDA codebook (.qdc), and stops the server. Only the
Python standard library is used, so any Python 3 can run it.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import re
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent / "taguette"

# Tags: Taguette paths, dots make the hierarchy.
TAGS = [
    ("restorative_space", "A protected space to think, connect and hold anxiety"),
    ("restorative_space.container", "The programme as a container for anxiety and uncertainty"),
    ("cross_speciality", "Learning across specialities and trusts"),
    ("leadership_perspectives", "New views of clinical leadership and followership"),
    ("operational_managers", "Working in partnership with operational managers"),
]

# Documents: synthetic interview excerpts (no real person). Non-ASCII on purpose: accents, a
# curly apostrophe and an emoji outside the Basic Multilingual Plane.
DOCS = {
    "Interview P01": [
        "It was the one day a month I could actually breathe 😌 and think with colleagues.",
        "During the strikes it held our anxiety, a container when everything felt uncertain.",
        "Hearing how the Homerton team ran their clinics diluted the tribalism I’d grown up with.",
    ],
    "Interview P02": [
        "I understand role authority differently now — I can influence without a title.",
        "Working with my general manager was the hardest part, we debated it every module.",
        "The café conversations after sessions were restorative in their own right.",
    ],
}

# Highlights: (document, paragraph index, snippet inside the paragraph, tag paths).
HIGHLIGHTS = [
    ("Interview P01", 0, "the one day a month I could actually breathe 😌", ["restorative_space"]),
    ("Interview P01", 1, "it held our anxiety, a container when everything felt uncertain",
     ["restorative_space", "restorative_space.container"]),
    ("Interview P01", 2, "diluted the tribalism I’d grown up with", ["cross_speciality"]),
    ("Interview P02", 0, "I can influence without a title", ["leadership_perspectives"]),
    ("Interview P02", 1, "Working with my general manager was the hardest part",
     ["operational_managers", "interesting"]),
    ("Interview P02", 2, "The café conversations after sessions were restorative",
     ["restorative_space"]),
    ("Interview P02", 1, "we debated it every module", []),  # a highlight with no tag
]


class Client:
    """A cookie-keeping HTTP client that sends Tornado's XSRF token like Taguette's JavaScript."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def xsrf(self) -> str:
        for c in self.jar:
            if c.name == "_xsrf":
                return c.value
        raise RuntimeError("no _xsrf cookie yet")

    def get(self, path: str) -> bytes:
        with self.opener.open(self.base + path) as r:
            return r.read()

    def post_form(self, path: str, fields: dict[str, str]) -> str:
        data = urllib.parse.urlencode({**fields, "_xsrf": self.xsrf()}).encode()
        with self.opener.open(self.base + path, data=data) as r:
            return r.geturl()

    def post_json(self, path: str, obj: dict) -> dict:
        req = urllib.request.Request(
            self.base + path, data=json.dumps(obj).encode(),
            headers={"Content-Type": "application/json", "X-XSRFToken": self.xsrf()})
        with self.opener.open(req) as r:
            return json.loads(r.read())

    def post_multipart(self, path: str, fields: dict[str, str], filename: str, body: bytes,
                       content_type: str) -> dict:
        boundary = uuid.uuid4().hex
        parts = []
        for k, v in {**fields, "_xsrf": self.xsrf()}.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode())
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n".encode() + body + b"\r\n")
        parts.append(f"--{boundary}--\r\n".encode())
        req = urllib.request.Request(
            self.base + path, data=b"".join(parts),
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}",
                     "X-XSRFToken": self.xsrf()})
        with self.opener.open(req) as r:
            return json.loads(r.read())


def wait_for_token(proc: subprocess.Popen, timeout: float = 60) -> str:
    """Read Taguette's stdout until it prints the login link with ``?token=``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            if proc.poll() is not None:
                raise RuntimeError(f"taguette exited with status {proc.returncode}")
            continue
        m = re.search(r"(http://\S+\?token=\w+)", line)
        if m:
            return m.group(1)
    raise RuntimeError("taguette did not print its login link")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--taguette", default="/tmp/taguette-venv/bin/taguette")
    parser.add_argument("--port", type=int, default=7465)
    parser.add_argument("--out", default=str(HERE))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.Popen(
            [args.taguette, "--no-browser", "--bind", "127.0.0.1", "--port", str(args.port),
             "--database", str(Path(tmp) / "taguette.sqlite3")],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            login = wait_for_token(proc)
            base = f"http://127.0.0.1:{args.port}"
            c = Client(base)
            c.get(urllib.parse.urlsplit(login)._replace(scheme="", netloc="").geturl())
            c.get("/project/new")  # renders a form: sets the _xsrf cookie
            url = c.post_form("/project/new", {"name": "leadeval fixture",
                                               "description": "Synthetic interviews"})
            project = int(re.search(r"/project/(\d+)", url).group(1))
            tag_ids = {}
            for path, desc in TAGS:
                tag_ids[path] = c.post_json(f"/api/project/{project}/tag/new",
                                            {"path": path, "description": desc})["id"]
            doc_ids = {}
            for name, paras in DOCS.items():
                html = ('<html><head><meta charset="utf-8"></head><body>'
                        + "".join(f"<p>{p}</p>" for p in paras) + "</body></html>").encode("utf-8")
                doc_ids[name] = c.post_multipart(
                    f"/api/project/{project}/document/new",
                    {"name": name, "description": "synthetic interview"},
                    name.replace(" ", "_") + ".html", html, "text/html")["created"]
            # Taguette's default tag "interesting" exists already: find its id.
            page = c.get(f"/project/{project}").decode("utf-8")
            m = re.search(r'"(\d+)":\s*\{[^{}]*"path":\s*"interesting"', page)
            if m:
                tag_ids["interesting"] = int(m.group(1))
            for doc, para, snippet, tags in HIGHLIGHTS:
                text = "".join(DOCS[doc][:para])  # text before the paragraph (tags are not text)
                start_char = DOCS[doc][para].index(snippet)
                start = len(text.encode("utf-8")) + len(DOCS[doc][para][:start_char].encode("utf-8"))
                end = start + len(snippet.encode("utf-8"))  # Taguette offsets are UTF-8 bytes
                c.post_json(f"/api/project/{project}/document/{doc_ids[doc]}/highlight/new",
                            {"start_offset": start, "end_offset": end,
                             "tags": [tag_ids[t] for t in tags]})
            for remote, local in [("highlights/.csv", "highlights.csv"),  # empty tag path: all
                                  ("highlights/.xlsx", "highlights.xlsx"),
                                  ("codebook.qdc", "codebook.qdc"),
                                  ("codebook.csv", "codebook.csv")]:
                (out / local).write_bytes(c.get(f"/project/{project}/export/{remote}"))
                print("wrote", out / local)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
