"""The demo from a fresh virtualenv: the project's wheel installed (not editable), `citizen-gateway
demo`, ask it.

pip may use PyPI and its local cache (that is the package install). The demo itself then runs in
a network namespace of its own (`unshare --net`: only a loopback interface, no route anywhere,
and none of the host's loopback services), so it answers with no PostgreSQL, MariaDB, Trino or
network at all. Where unshare is not allowed, the demo runs on the host and its sockets are
checked instead: every TCP connection it holds is on 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.demo

REPO = Path(__file__).resolve().parents[2]

# Runs where the demo runs (inside the namespace when there is one): starts the demo, reads its
# two lines, asks it a question with a printed token, fetches the page, and reports as JSON.
DRIVER = textwrap.dedent('''
    import json, os, signal, socket, subprocess, sys, time, urllib.request

    cli, council, port, isolated = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1"
    report = {}
    if isolated:
        subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
        for host, probe_port in (("1.1.1.1", 443), ("127.0.0.1", 55432), ("127.0.0.1", 53306),
                                 ("127.0.0.1", 58080)):
            with socket.socket() as probe:
                probe.settimeout(2)
                report[f"reach {host}:{probe_port}"] = probe.connect_ex((host, probe_port)) == 0
    started = time.monotonic()
    demo = subprocess.Popen([cli, "demo", "--citizens", "500", "--dir", council, "--port",
                             str(port)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lines = [demo.stdout.readline(), demo.stdout.readline()]
        report["lines"] = lines
        report["seconds_to_banner"] = round(time.monotonic() - started, 1)
        token = lines[1].split("clinician (direct care): ")[1].split()[0]
        query = ("{ citizen(id: 5) { givenName familyName niNumber "
                 "health { encounters(first: 2) { encounterDate diagnosisText } } } }")
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/graphql", data=json.dumps({"query": query}).encode(),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as response:
            report["answer"] = json.load(response)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=60) as response:
            report["page"] = response.read().decode()[:2000]
        if not isolated:  # every TCP socket of the demo: local address and peer
            inodes = set()
            for fd in os.listdir(f"/proc/{demo.pid}/fd"):
                target = os.readlink(f"/proc/{demo.pid}/fd/{fd}")
                if target.startswith("socket:["):
                    inodes.add(target[8:-1])
            peers = []
            for table in ("tcp", "tcp6"):
                with open(f"/proc/{demo.pid}/net/{table}") as lines_:
                    for line in list(lines_)[1:]:
                        fields = line.split()
                        if fields[9] in inodes:
                            peers.append([fields[1], fields[2]])
            report["sockets"] = peers
    finally:
        demo.send_signal(signal.SIGINT)
        try:
            demo.wait(timeout=20)
        except subprocess.TimeoutExpired:
            demo.kill()
        report["stderr"] = demo.stderr.read()[-3000:]
    print(json.dumps(report))
''')


def _can_isolate() -> bool:
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        return False
    probe = subprocess.run(["unshare", "--net", "true"], capture_output=True)
    return probe.returncode == 0


def _loopback(address: str) -> bool:
    """A /proc/net/tcp[6] address (hex IP:port) on 127.0.0.1, ::1 or ::ffff:127.0.0.1."""
    ip = address.split(":")[0]
    return ip == "0100007F" or ip == "00000000000000000000000001000000" or \
        (ip.endswith("0100007F") and ip.startswith("0000000000000000FFFF0000"))


def test_fresh_virtualenv_demo_answers_with_no_servers_and_no_network(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    pip = [str(venv / "bin" / "python"), "-m", "pip"]
    # a wheel, installed as a user installs it: nothing found beside a source checkout
    built = subprocess.run([*pip, "wheel", "-q", "--no-deps", "-w", str(tmp_path / "wheels"),
                            str(REPO)], capture_output=True, text=True, timeout=900)
    assert built.returncode == 0, built.stdout + built.stderr
    [wheel] = (tmp_path / "wheels").glob("citizen_gateway-*.whl")
    install = subprocess.run([*pip, "install", "-q", str(wheel)], capture_output=True, text=True,
                             timeout=900)
    assert install.returncode == 0, install.stdout + install.stderr
    shipped = subprocess.run([str(venv / "bin" / "python"), "-c",
                              "import gateway.settings as s; print(s.SHIPPED)"],
                             capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert shipped.returncode == 0 and str(venv) in shipped.stdout, shipped.stdout + shipped.stderr

    driver = tmp_path / "driver.py"
    driver.write_text(DRIVER)
    isolated = _can_isolate()
    command = [str(venv / "bin" / "python"), str(driver), str(venv / "bin" / "citizen-gateway"),
               str(tmp_path / "council"), "8000" if isolated else "18765", "1" if isolated else "0"]
    if isolated:
        command = ["unshare", "--net", *command]
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("GATEWAY_", "VIRTUAL_ENV"))}
    env["PATH"] = f"{venv / 'bin'}:{env.get('PATH', '/usr/bin:/bin')}"
    ran = subprocess.run(command, capture_output=True, text=True, timeout=300, env=env, cwd=tmp_path)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    report = json.loads(ran.stdout.strip().splitlines()[-1])

    where, tokens = report["lines"]
    assert where.startswith("Citizen view demo (500 synthetic citizens")
    assert "GraphiQL at http://127.0.0.1:" in where
    assert tokens.startswith("Tokens")
    assert all(role in tokens for role in ("caseworker", "clinician", "analyst"))
    citizen = report["answer"]["data"]["citizen"]
    assert citizen["givenName"] and citizen["familyName"]
    assert citizen["niNumber"] is None  # the clinician's token: NI numbers redacted by policy
    assert "<title>Citizen view explorer</title>" in report["page"]
    assert (tmp_path / "council" / "registry.sqlite").is_file()
    if isolated:
        assert not any(reached for key, reached in report.items() if key.startswith("reach")), report
    else:
        assert report["sockets"] and all(_loopback(local) and (_loopback(peer) or
                                                              peer.startswith("00000000"))
                                         for local, peer in report["sockets"]), report["sockets"]
