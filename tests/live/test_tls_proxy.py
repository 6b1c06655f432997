"""Tandem behind the nginx configuration docs/deploy.md gives (deploy/nginx/tandem.conf):
a real nginx terminating TLS with a self-signed certificate, in front of a real Daphne
running the production settings (server.settings, DEBUG=0, BEHIND_TLS_PROXY=1, the secret
key from SECRET_KEY_FILE, static files collected), checked with clients Tandem did not
write: the standard library's HTTP client and the `websockets` package.

nginx and openssl come from Debian; when missing they are installed here if this run may
(root, apt-get), as `make test` does (server/check_services.py). Otherwise the test fails
and says how to install them: it never skips.
"""

from __future__ import annotations

import http.client
import http.cookiejar
import os
import re
import ssl
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson
import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher
from websockets.asyncio.client import connect
from websockets.typing import Origin

from programs.models import User
from server import check_services
from tests.conftest import PASSWORD
from tests.live.daphne import free_port, terminate
from tests.live.processes import ROOT, Server, server_env, spawn, start, stop, wait_healthy

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]

CONF = ROOT / "deploy" / "nginx" / "tandem.conf"
HOST = "127.0.0.1"
TIMEOUT = 10.0


@dataclass
class Proxy:
    http_port: int
    https_port: int
    certificate: Path
    daphne: Server
    nginx: subprocess.Popen[bytes]

    @property
    def origin(self) -> str:
        return f"https://{HOST}:{self.https_port}"

    def tls(self) -> ssl.SSLContext:
        """Trusts only the test's certificate, and checks the host name against it."""
        return ssl.create_default_context(cafile=str(self.certificate))


def require(path: str, package: str) -> None:
    problem = check_services.program_problem(path, package)
    if problem:
        pytest.fail(f"The TLS proxy test needs {package}: {problem}")


def site_config(*, http_port: int, https_port: int, web_port: int, cert: Path, key: Path) -> str:
    """deploy/nginx/tandem.conf with its placeholders filled in as docs/deploy.md says,
    listening on loopback only."""
    text = CONF.read_text()
    for name, value in {
        "SERVER_NAME": HOST,
        "HTTP_LISTEN": f"{HOST}:{http_port}",
        "HTTPS_LISTEN": f"{HOST}:{https_port}",
        "CERTIFICATE": str(cert),
        "CERTIFICATE_KEY": str(key),
        "WEB_PORT": str(web_port),
    }.items():
        assert f"@{name}@" in text, f"{CONF} has no @{name}@ placeholder"
        text = text.replace(f"@{name}@", value)
    left = re.findall(r"@[A-Z_]+@", text)
    assert not left, f"placeholders the test does not fill: {left}"
    return text


def main_config(prefix: Path, site: Path) -> str:
    """What Debian's /etc/nginx/nginx.conf provides around a site, but with every file
    nginx writes inside `prefix`: the test's own nginx, not the system's."""
    # Under root the workers would otherwise run as nobody, who cannot enter tmp_path.
    user = "user root root;\n" if os.geteuid() == 0 else ""
    temp = "\n".join(
        f"    {kind}_temp_path {prefix / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""{user}daemon off;
worker_processes 1;
pid {prefix / "nginx.pid"};
error_log {prefix / "error.log"} info;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {prefix / "access.log"};
{temp}
    include {site};
}}
"""


def self_signed(directory: Path) -> tuple[Path, Path]:
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            check_services.OPENSSL,
            "req", "-x509", "-nodes", "-days", "2",
            "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-keyout", str(key), "-out", str(cert),
            "-subj", f"/CN={HOST}", "-addext", f"subjectAltName=IP:{HOST}",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


def wait_tls(proxy_port: int, nginx: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if nginx.poll() is not None:
            pytest.fail(f"nginx exited with {nginx.returncode}:\n{log.read_text(errors='replace')}")
        try:
            conn = http.client.HTTPSConnection(
                HOST, proxy_port, timeout=2, context=ssl._create_unverified_context()
            )
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            conn.close()
            return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"nginx did not answer on {proxy_port}:\n{log.read_text(errors='replace')}")


@dataclass
class Site:
    """What every test's servers share: the certificate, ports and collected static files."""

    directory: Path
    certificate: Path
    key: Path
    http_port: int
    https_port: int
    env: dict[str, str]


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker, tmp_path_factory) -> Site:
    require(check_services.NGINX, "nginx")
    require(check_services.OPENSSL, "openssl")
    tmp = tmp_path_factory.mktemp("tls-proxy")
    cert, key = self_signed(tmp)
    http_port, https_port = free_port(), free_port()

    secret = tmp / "secret_key"
    secret.write_text("tls-proxy-test-" + os.urandom(24).hex() + "\n")
    with django_db_blocker.unblock():
        env = server_env()
    del env["SECRET_KEY"]
    env.update(
        # The production settings, not the suite's: the environment docs/deploy.md lists.
        DJANGO_SETTINGS_MODULE="server.settings",
        DEBUG="0",
        BEHIND_TLS_PROXY="1",
        ALLOWED_HOSTS=HOST,
        CSRF_TRUSTED_ORIGINS=f"https://{HOST}:{https_port}",
        SITE_URL=f"https://{HOST}:{https_port}",
        SECRET_KEY_FILE=str(secret),
        STATIC_ROOT=str(tmp / "static"),
        MEDIA_ROOT=str(tmp / "media"),
    )
    for name in ("SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"):
        env.pop(name, None)
    collect = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert collect.returncode == 0, collect.stderr
    return Site(tmp, cert, key, http_port, https_port, env)


@pytest.fixture
def proxy(site: Site, transactional_db) -> Iterator[Proxy]:
    """Daphne and nginx for one test, stopped before the test's database is flushed: a
    server still writing (a closing socket's presence) would deadlock the flush's TRUNCATE."""
    tmp, cert, key = site.directory, site.certificate, site.key
    http_port, https_port = site.http_port, site.https_port
    daphne = start("behind-nginx", tmp, site.env, ("--proxy-headers",))
    nginx = None
    try:
        wait_healthy(daphne)
        conf = tmp / "tandem.conf"
        conf.write_text(
            site_config(
                http_port=http_port,
                https_port=https_port,
                web_port=daphne.port,
                cert=cert,
                key=key,
            )
        )
        main = tmp / "nginx.conf"
        main.write_text(main_config(tmp, conf))
        log = tmp / "nginx.out"
        nginx = spawn(
            [check_services.NGINX, "-p", f"{tmp}/", "-e", str(tmp / "error.log"), "-c", str(main)],
            log,
            dict(os.environ),
        )
        wait_tls(https_port, nginx, log)
        yield Proxy(http_port, https_port, cert, daphne, nginx)
    finally:
        if nginx is not None:
            terminate(nginx)
        stop(daphne)


@pytest.fixture
def admin_with_real_hash(admin: User) -> User:
    """The production settings know no MD5 (the suite's fast hasher): store an Argon2 hash,
    as a real sign-in would have."""
    hasher = Argon2PasswordHasher()
    admin.password = hasher.encode(PASSWORD, hasher.salt())
    admin.save(update_fields=["password"])
    return admin


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def test_plain_http_redirects_to_https(proxy: Proxy):
    conn = http.client.HTTPConnection(HOST, proxy.http_port, timeout=TIMEOUT)
    conn.request("GET", "/login/?next=/members/")
    response = conn.getresponse()
    response.read()
    conn.close()

    assert response.status == 301
    # $host carries no port: in production HTTPS is on 443.
    assert response.getheader("Location") == f"https://{HOST}/login/?next=/members/"


def test_healthz_and_readyz_over_https(proxy: Proxy):
    for path in ("/healthz", "/readyz"):
        with urllib.request.urlopen(
            f"{proxy.origin}{path}", timeout=TIMEOUT, context=proxy.tls()
        ) as response:
            assert response.status == 200
            assert orjson.loads(response.read())["status"] == "ok"


def test_a_signed_in_page_with_secure_cookies(proxy: Proxy, admin_with_real_hash: User):
    from axes.models import AccessLog

    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(
        urllib.request.HTTPSHandler(context=proxy.tls()),
        urllib.request.HTTPCookieProcessor(jar),
        NoRedirect,
    )
    with browser.open(f"{proxy.origin}/login/", timeout=TIMEOUT) as response:
        assert response.status == 200
        # Django saw HTTPS (BEHIND_TLS_PROXY): no redirect loop, and HSTS is sent.
        assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
        page = response.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token, page
    csrf = {cookie.name: cookie for cookie in jar}["csrftoken"]
    assert csrf.secure

    form = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": token.group(1),
            "username": admin_with_real_hash.email,
            "password": PASSWORD,
        }
    ).encode()
    sign_in = urllib.request.Request(
        f"{proxy.origin}/login/",
        data=form,
        headers={
            "Origin": proxy.origin,
            "Referer": f"{proxy.origin}/login/",
            # Chosen by the client: nginx replaces it with the address it really saw.
            "X-Forwarded-For": "203.0.113.9",
        },
    )
    try:
        browser.open(sign_in, timeout=TIMEOUT)
        pytest.fail("signing in did not redirect")
    except urllib.error.HTTPError as redirect:
        assert redirect.code == 302, redirect.read().decode(errors="replace")
        set_cookies = redirect.headers.get_all("Set-Cookie") or []
    session = next(line for line in set_cookies if line.startswith("sessionid="))
    assert "Secure" in session and "HttpOnly" in session
    assert list(AccessLog.objects.values_list("ip_address", flat=True)) == [HOST]

    # The administrator's home is the dashboard: the redirect stays on HTTPS.
    follow = urllib.request.build_opener(
        urllib.request.HTTPSHandler(context=proxy.tls()), urllib.request.HTTPCookieProcessor(jar)
    )
    with follow.open(f"{proxy.origin}/", timeout=TIMEOUT) as response:
        assert response.status == 200
        assert response.url.startswith(f"{proxy.origin}/manage")
        home = response.read().decode()
    assert "Michele" in home
    # A static file the page links to, through the proxy (WhiteNoise, hashed name).
    stylesheet = re.search(r'href="(/static/[^"]+\.css)"', home)
    assert stylesheet, home
    assert re.search(r"\.[0-9a-f]{12}\.css$", stylesheet.group(1))
    with browser.open(f"{proxy.origin}{stylesheet.group(1)}", timeout=TIMEOUT) as response:
        assert response.status == 200
        assert "max-age=315360000" in response.headers["Cache-Control"]


async def test_websocket_over_wss(proxy: Proxy, admin_with_real_hash: User):
    from asgiref.sync import sync_to_async

    cookie = await sync_to_async(session_through_proxy)(proxy, admin_with_real_hash)
    async with connect(
        f"wss://{HOST}:{proxy.https_port}/ws/",
        ssl=proxy.tls(),
        additional_headers={"Cookie": cookie},
        origin=Origin(proxy.origin),
        open_timeout=TIMEOUT,
    ) as ws:
        first = orjson.loads(await ws.recv(decode=False))
        assert first == {
            "event": "presence.snapshot",
            "data": {"online": [admin_with_real_hash.pk]},
        }
        await ws.send('{"type":"heartbeat"}')
        for _ in range(5):
            frame = orjson.loads(await ws.recv(decode=False))
            if frame["event"] == "heartbeat.ack":
                break
        else:
            pytest.fail("no heartbeat.ack through the proxy")


def session_through_proxy(proxy: Proxy, user: User) -> str:
    """Sign in through nginx and return the session cookie as a browser would send it."""
    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(
        urllib.request.HTTPSHandler(context=proxy.tls()),
        urllib.request.HTTPCookieProcessor(jar),
    )
    with browser.open(f"{proxy.origin}/login/", timeout=TIMEOUT) as response:
        page = response.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token
    form = {"csrfmiddlewaretoken": token.group(1), "username": user.email, "password": PASSWORD}
    request = urllib.request.Request(
        f"{proxy.origin}/login/",
        data=urllib.parse.urlencode(form).encode(),
        headers={"Origin": proxy.origin, "Referer": f"{proxy.origin}/login/"},
    )
    with browser.open(request, timeout=TIMEOUT) as response:
        assert response.status == 200
    cookies = {cookie.name: cookie.value for cookie in jar}
    assert "sessionid" in cookies, "signing in through the proxy gave no session"
    return f"sessionid={cookies['sessionid']}"
