"""A real Dovecot IMAP server for the tests: a throwaway configuration in a temporary folder, a
passwd-file with one user per test (each with its own Maildir), listening on 127.0.0.1.

Runs as root (as CI does: login processes drop to dovenull/dovecot, mail is owned by the dovecot
user) or unprivileged (every process runs as the current user)."""
from __future__ import annotations

import grp
import imaplib
import itertools
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

DOVECOT = shutil.which("dovecot") or ("/usr/sbin/dovecot" if os.path.exists("/usr/sbin/dovecot") else None)


USERS = 40
PASSWORD = "buzón-Ñ1"  # not ASCII: poaxl must log in with UTF-8 AUTHENTICATE PLAIN


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Dovecot:
    """One server: ``imap_port`` (plain, STARTTLS offered when a certificate is given) and ``imaps_port``."""

    def __init__(self, cert: tuple[Path, Path] | None = None):
        self.root = Path(tempfile.mkdtemp(prefix="poaxl-dovecot-"))
        self.root.chmod(0o755)  # login processes (dovenull) must reach the sockets in base_dir
        self.cert = cert
        self.imap_port, self.imaps_port = free_port(), free_port() if cert else 0
        self.passwd = self.root / "passwd"
        self.counter = itertools.count(1)
        if os.geteuid() == 0:
            self.login_user, self.internal_user, self.internal_group = "dovenull", "dovecot", "dovecot"
            self.mail_uid, self.mail_gid = pwd.getpwnam("dovecot").pw_uid, grp.getgrnam("dovecot").gr_gid
        else:
            self.login_user = self.internal_user = pwd.getpwuid(os.getuid()).pw_name
            self.internal_group = grp.getgrgid(os.getgid()).gr_name
            self.mail_uid, self.mail_gid = os.getuid(), os.getgid()
        self.config = self.root / "dovecot.conf"
        self.config.write_text(self._config(), encoding="utf-8")
        self._users(USERS)
        self.process = None

    def _config(self) -> str:
        tls = (f"ssl = yes\nssl_cert = <{self.cert[0]}\nssl_key = <{self.cert[1]}\n" if self.cert else "ssl = no\n")
        return f"""
base_dir = {self.root}/run
state_dir = {self.root}/state
log_path = {self.root}/dovecot.log
protocols = imap
listen = 127.0.0.1
{tls}disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
first_valid_uid = {min(self.mail_uid, 1)}
mail_location = maildir:~/Maildir
default_login_user = {self.login_user}
default_internal_user = {self.internal_user}
default_internal_group = {self.internal_group}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {self.passwd}
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {self.passwd}
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    port = {self.imap_port}
  }}
  inet_listener imaps {{
    port = {self.imaps_port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
"""

    def start(self) -> "Dovecot":
        """Start in the foreground (-F) as our child and wait until it greets on its port."""
        self.process = subprocess.Popen([DOVECOT, "-F", "-c", str(self.config)], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE)
        for _ in range(400):  # bounded wait for the greeting (not a timing assertion)
            if self.process.poll() is not None:
                raise RuntimeError(f"dovecot did not start: {self.process.stderr.read().decode()} {self.log()}")
            try:
                with socket.create_connection(("127.0.0.1", self.imap_port), timeout=1) as s:
                    if s.recv(64).startswith(b"* OK"):
                        return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("dovecot did not answer on its port: " + self.log())

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.root, ignore_errors=True)

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def _users(self, count: int) -> None:
        """All the mailbox users, written once before start (dovecot notices changes to the file only by
        its modification second, so users added while it runs could be missed)."""
        lines = []
        for n in range(1, count + 1):
            home = self.root / "home" / f"planeacion{n}"
            home.mkdir(parents=True)
            os.chown(home, self.mail_uid, self.mail_gid)
            lines.append(f"planeacion{n}:{{PLAIN}}{PASSWORD}:{self.mail_uid}:{self.mail_gid}::{home}\n")
        self.passwd.write_text("".join(lines), encoding="utf-8")

    def user(self) -> tuple[str, str]:
        """A mailbox user of its own (a fresh, empty Maildir): (user, password)."""
        n = next(self.counter)
        assert n <= USERS, "more mailbox users than tests/dovecot.py prepares"
        return f"planeacion{n}", PASSWORD

    def append(self, user: str, password: str, messages: list[bytes], folder: str = "INBOX",
               when: list[float] | None = None) -> None:
        """Put messages into a mailbox through IMAP APPEND, as a mail server delivering them would."""
        imap = imaplib.IMAP4("127.0.0.1", self.imap_port, timeout=10)
        try:
            imap.authenticate("PLAIN", lambda _: f"\0{user}\0{password}".encode("utf-8"))
            if folder != "INBOX":
                imap.create(folder)
            for i, raw in enumerate(messages):
                stamp = imaplib.Time2Internaldate(when[i]) if when else None
                status, data = imap.append(folder, None, stamp, raw)
                assert status == "OK", data
        finally:
            imap.logout()
