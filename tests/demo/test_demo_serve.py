"""``make demo``'s process handling, run for real through make in a pseudo-terminal with short stand-in
commands: the logins come last, once the site answers; typing Ctrl-C stops every process and make exits
0; started as root, the processes run as an unprivileged user. And the demo's emails go to files."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import shutil
import subprocess
import sys
import tempfile
import termios
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SYSTEM_PYTHON = "/usr/bin/python3"  # any user may run it (the venv's may live under a private home)
WAIT = 120.0  # a failsafe: every wait below ends on output, never on time


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def readable(fd: int) -> bool:
    """Whether ``fd`` has output (or closed) within WAIT seconds (poll: any fd number, unlike select)."""
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(WAIT * 1000))


def read_until(master: int, text: bytes, seen: bytearray) -> None:
    while text not in seen:
        assert readable(master), f"no {text!r} in:\n{seen.decode(errors='replace')}"
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the terminal closed: everything exited
            chunk = b""
        assert chunk, f"ended before {text!r}:\n{seen.decode(errors='replace')}"
        seen.extend(chunk)


def drain(master: int, seen: bytearray) -> None:
    while True:
        try:
            chunk = os.read(master, 65536) if readable(master) else b""
        except OSError:
            chunk = b""
        if not chunk:
            return
        seen.extend(chunk)


def controlling_terminal() -> None:
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


@pytest.mark.skipif(
    not (shutil.which("make") and Path(SYSTEM_PYTHON).exists()), reason="needs make and python3"
)
def test_make_demo_prints_the_logins_last_and_exits_0_on_ctrl_c() -> None:
    data = Path(tempfile.mkdtemp(prefix="demo-serve-"))  # under /tmp: an unprivileged user can reach it
    port = free_port()
    stand_in = f"sh -c 'id -u > {data}/%s.uid; exec sleep 600'"
    env = {
        **os.environ,
        "BOUNTY_DATA_DIR": str(data),
        "DEMO_SETUP": f"echo seeded > {data}/setup.txt",
        "DEMO_WORKER": stand_in % "worker",
        "DEMO_FIT_WORKER": stand_in % "fit",
        "DEMO_BEAT": stand_in % "beat",
        "DEMO_WEB": f"{SYSTEM_PYTHON} -m http.server {port} --bind 127.0.0.1 --directory {data}",
        "DEMO_URL": f"http://127.0.0.1:{port}",
        "DEMO_LOGINS": "echo LOGINS-ARE-HERE",
    }
    master, slave = pty.openpty()
    make = ["make", "--no-print-directory", "-o", ".venv/.installed", "demo", f"PY={SYSTEM_PYTHON}"]
    proc = subprocess.Popen(
        make, cwd=REPO, env=env, stdin=slave, stdout=slave, stderr=slave,
        start_new_session=True, preexec_fn=controlling_terminal,
    )  # fmt: skip
    os.close(slave)
    seen = bytearray()
    try:
        read_until(master, b"LOGINS-ARE-HERE", seen)
        read_until(master, b"\n", seen)
        os.write(master, b"\x03")  # Ctrl-C, as typed: the terminal signals its foreground job
        drain(master, seen)
        status = proc.wait(timeout=WAIT)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, 9)
        os.close(master)
    text = seen.decode(errors="replace")
    assert status == 0, text
    assert "Error" not in text and "Interrupt" not in text, text
    before_ctrl_c = text.split("^C")[0].rstrip()
    assert before_ctrl_c.endswith("LOGINS-ARE-HERE"), text  # the logins come last
    assert (data / "setup.txt").read_text() == "seeded\n"
    uids = {int((data / f"{name}.uid").read_text()) for name in ("worker", "fit", "beat")}
    if os.getuid() == 0:
        assert 0 not in uids, "started as root, the workers and beat must run unprivileged"
    gone = subprocess.run(["pgrep", "-f", f"{data}/worker.uid"], capture_output=True)
    assert gone.returncode == 1, "a demo process outlived Ctrl-C"
    shutil.rmtree(data, ignore_errors=True)


def test_the_demo_writes_its_emails_as_files_in_the_folder_it_names(tmp_path: Path) -> None:
    """No raw MIME on the terminal: with BOUNTY_DEMO=1 and no EMAIL_HOST, each email is a file."""
    code = (
        "import django; django.setup()\n"
        "from django.conf import settings; from django.core.mail import send_mail\n"
        "send_mail('Decided', 'Your submission was decided.', None, ['ada@example.org'])\n"
        "print(settings.EMAIL_FILE_PATH)\n"
    )
    env = {
        "PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "PYTHONPATH": str(REPO),
        "DJANGO_SETTINGS_MODULE": "bounty.settings", "BOUNTY_DATA_DIR": str(tmp_path / "data"),
        "BOUNTY_DEMO": "1",
    }  # fmt: skip
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    folder = tmp_path / "data" / "demo" / "mail"
    assert done.stdout.strip() == str(folder) and "Subject:" not in done.stdout + done.stderr
    (message,) = folder.iterdir()
    assert "Subject: Decided" in message.read_text()
