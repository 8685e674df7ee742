#!/usr/bin/env python3
"""A local three-node OpenSearch cluster on 127.0.0.1 for tests and trials: fetch, start, stop.

The distribution is OpenSearch's integration-test zip from Maven Central (core modules, no
security plugin, no bundled JDK) plus the analysis-common module, which the zip leaves out
and the article analyzer needs (snowball, asciifolding, pattern tokenizer). Both are cached
under .cache/opensearch/. Each node gets its own config, data and log folders and a pid file.

    python scripts/opensearch_cluster.py start [--workdir DIR] [--http-port 9250] [--nodes 3]
    python scripts/opensearch_cluster.py stop [--workdir DIR]
    python scripts/opensearch_cluster.py kill-node 2 / start-node 2   (failover trials)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

VERSION = os.environ.get("CSTOSEARCH_OPENSEARCH_VERSION", "2.19.6")
MAVEN = os.environ.get("CSTOSEARCH_MAVEN_REPO", "https://repo1.maven.org/maven2").rstrip("/")
REPO_ROOT = Path(__file__).resolve().parents[1]
CACHE = Path(os.environ.get("CSTOSEARCH_OPENSEARCH_CACHE", REPO_ROOT / ".cache" / "opensearch"))
DEFAULT_WORKDIR = CACHE / "cluster"
DISTRIBUTION_URL = f"{MAVEN}/org/opensearch/distribution/integ-test-zip/opensearch/{VERSION}/opensearch-{VERSION}.zip"
ANALYSIS_URL = f"{MAVEN}/org/opensearch/plugin/analysis-common/{VERSION}/analysis-common-{VERSION}.jar"
# OpenSearch 2.x runs on Java 11 to 21; later JDKs dropped the security manager it installs.
SUPPORTED_JAVA = range(11, 24)
CLUSTER_NAME = "cstosearch-local"
UNPRIVILEGED_UID = UNPRIVILEGED_GID = 65534  # nobody / nogroup


class ClusterError(Exception):
    """The cluster could not be fetched, started or reached."""


def _download(url: str, target: Path) -> None:
    """Download with the SHA-1 Maven publishes beside each file checked."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(target.suffix + ".part")
    try:
        with urllib.request.urlopen(url, timeout=60) as response, partial.open("wb") as out:
            shutil.copyfileobj(response, out)
        with urllib.request.urlopen(url + ".sha1", timeout=60) as response:
            expected = response.read().decode().split()[0].strip()
    except (urllib.error.URLError, OSError) as exc:
        partial.unlink(missing_ok=True)
        raise ClusterError(f"could not download {url}: {exc}") from None
    actual = hashlib.sha1(partial.read_bytes()).hexdigest()
    if actual != expected:
        partial.unlink(missing_ok=True)
        raise ClusterError(f"{url}: SHA-1 {actual} does not match the published {expected}")
    partial.replace(target)


def distribution_home() -> Path:
    """The unpacked distribution with analysis-common added, fetched on first use."""
    home = CACHE / f"opensearch-{VERSION}"
    module = home / "modules" / "analysis-common"
    if (module / "plugin-descriptor.properties").exists():
        return home
    archive = CACHE / f"opensearch-{VERSION}.zip"
    if not archive.exists():
        _download(DISTRIBUTION_URL, archive)
    if not (home / "bin" / "opensearch").exists():
        with zipfile.ZipFile(archive) as bundle:
            bundle.extractall(CACHE)
        for script in (home / "bin").iterdir():
            script.chmod(0o755)
    jar = CACHE / f"analysis-common-{VERSION}.jar"
    if not jar.exists():
        _download(ANALYSIS_URL, jar)
    module.mkdir(parents=True, exist_ok=True)
    shutil.copy(jar, module / jar.name)
    # The published module also extends lang-painless (scripted token filters), which the
    # analyzer here does not use; without that link it loads on its own.
    (module / "plugin-descriptor.properties").write_text(
        "description=Adds built-in analyzers to OpenSearch.\n"
        f"version={VERSION}\nname=analysis-common\n"
        "classname=org.opensearch.analysis.common.CommonAnalysisPlugin\n"
        f"java.version=11\nopensearch.version={VERSION}\n"
        "custom.foldername=\nextended.plugins=\nhas.native.controller=false\n")
    return home


def _java_major(java: Path) -> int | None:
    try:
        out = subprocess.run([str(java), "-version"], capture_output=True, text=True, timeout=30).stderr
    except (OSError, subprocess.TimeoutExpired):
        return None
    found = re.search(r'version "(\d+)(?:\.(\d+))?', out)
    if not found:
        return None
    major = int(found.group(1))
    return int(found.group(2)) if major == 1 else major


def find_java_home() -> Path:
    """A JDK OpenSearch 2.x runs on: $OPENSEARCH_JAVA_HOME, $JAVA_HOME, then /usr/lib/jvm."""
    candidates = [os.environ.get("OPENSEARCH_JAVA_HOME"), os.environ.get("JAVA_HOME")]
    jvm_root = Path("/usr/lib/jvm")
    if jvm_root.is_dir():
        candidates += [str(p) for p in sorted(jvm_root.iterdir())]
    java_on_path = shutil.which("java")
    if java_on_path:
        candidates.append(str(Path(java_on_path).resolve().parents[1]))
    for candidate in candidates:
        if not candidate:
            continue
        java = Path(candidate) / "bin" / "java"
        if java.exists() and _java_major(java) in SUPPORTED_JAVA:
            return Path(candidate)
    raise ClusterError("no Java 11-23 found (set OPENSEARCH_JAVA_HOME); OpenSearch 2.x needs one")


def _check_reachable(folder: Path) -> None:
    """Every folder above ``folder`` must let others pass, or `nobody` cannot reach its node."""
    for parent in folder.resolve().parents:
        if not parent.stat().st_mode & 0o001:
            raise ClusterError(f"{parent} is closed to other users; nodes run as `nobody` cannot reach "
                               f"{folder} (choose another --workdir or chmod o+x {parent})")


def _chown_tree(root: Path, uid: int, gid: int) -> None:
    os.chown(root, uid, gid)
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            os.chown(os.path.join(folder, name), uid, gid, follow_symlinks=False)


class LocalCluster:
    """N nodes of one cluster on 127.0.0.1: node i listens on http_port + i - 1."""

    def __init__(self, workdir: Path = DEFAULT_WORKDIR, http_port: int = 9250, nodes: int = 3,
                 heap: str = "256m") -> None:
        # Absolute: the launcher runs from the distribution folder and reads paths from there.
        self.workdir = Path(workdir).resolve()
        self.http_port = http_port
        self.transport_port = http_port + 100
        self.nodes = nodes
        self.heap = heap

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def urls(self) -> list[str]:
        return [f"http://127.0.0.1:{self.http_port + i}" for i in range(self.nodes)]

    def node_dir(self, number: int) -> Path:
        return self.workdir / f"node-{number}"

    def pid_file(self, number: int) -> Path:
        return self.node_dir(number) / "opensearch.pid"

    def _configure(self, home: Path, number: int) -> Path:
        config = self.node_dir(number) / "config"
        if config.exists():
            return config
        shutil.copytree(home / "config", config)
        seeds = ", ".join(f'"127.0.0.1:{self.transport_port + i}"' for i in range(self.nodes))
        managers = ", ".join(f'"node-{i}"' for i in range(1, self.nodes + 1))
        (config / "opensearch.yml").write_text(f"""\
cluster.name: {CLUSTER_NAME}
node.name: node-{number}
network.host: 127.0.0.1
http.port: {self.http_port + number - 1}
transport.port: {self.transport_port + number - 1}
path.data: {self.node_dir(number) / "data"}
path.logs: {self.node_dir(number) / "logs"}
discovery.seed_hosts: [{seeds}]
cluster.initial_cluster_manager_nodes: [{managers}]
bootstrap.memory_lock: false
# A shared test machine's disk may be fuller than the default watermarks allow.
cluster.routing.allocation.disk.threshold_enabled: false
""")
        options = config / "jvm.options"
        text = re.sub(r"^-Xm[sx]\S+$", "", options.read_text(), flags=re.M)
        # The launcher runs from the distribution folder: point its relative logs/ and data at the node's.
        node = self.node_dir(number)
        text = text.replace("file=logs/", f"file={node}/logs/").replace("=logs/", f"={node}/logs/")
        text = text.replace("HeapDumpPath=data", f"HeapDumpPath={node}/data")
        options.write_text(text + f"\n-Xms{self.heap}\n-Xmx{self.heap}\n")
        return config

    def start_node(self, number: int) -> int:
        home = distribution_home()
        java_home = find_java_home()
        config = self._configure(home, number)
        pid_file = self.pid_file(number)
        if self._alive(number):
            return int(pid_file.read_text())
        log_dir = self.node_dir(number) / "logs"
        log_dir.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ, OPENSEARCH_PATH_CONF=str(config), OPENSEARCH_JAVA_HOME=str(java_home),
                   JAVA_HOME=str(java_home))
        env.pop("OPENSEARCH_JAVA_OPTS", None)
        command = [str(home / "bin" / "opensearch"), "-d", "-p", str(pid_file)]
        if os.geteuid() == 0:
            # OpenSearch refuses to run as root: run the node as the unprivileged `nobody`.
            _check_reachable(self.node_dir(number))
            _chown_tree(self.node_dir(number), UNPRIVILEGED_UID, UNPRIVILEGED_GID)
            command = ["setpriv", f"--reuid={UNPRIVILEGED_UID}", f"--regid={UNPRIVILEGED_GID}",
                       "--clear-groups", *command]
            env["HOME"] = str(self.node_dir(number))
        with (log_dir / "console.log").open("ab") as console:
            subprocess.run(command, env=env, stdout=console, stderr=console, check=False, timeout=300)
        deadline = time.monotonic() + 60
        # The node writes its pid file in two steps: wait for the number, not only the file.
        while not (pid_file.exists() and pid_file.read_text().strip().isdigit()):
            if time.monotonic() > deadline:
                raise ClusterError(f"node-{number} did not start; see {log_dir}")
            time.sleep(0.5)
        return int(pid_file.read_text())

    def start(self, timeout_s: float = 240) -> None:
        if self.workdir.exists() and not self._ports_are_ours():
            raise ClusterError(f"port {self.http_port} answers but not from a cluster in {self.workdir}")
        for number in range(1, self.nodes + 1):
            self.start_node(number)
        self.wait_for("green", timeout_s)

    def _ports_are_ours(self) -> bool:
        info = self._get("/")
        return info is None or info.get("cluster_name") == CLUSTER_NAME

    def _alive(self, number: int) -> bool:
        pid_file = self.pid_file(number)
        if not pid_file.exists():
            return False
        try:
            os.kill(int(pid_file.read_text()), 0)
        except ProcessLookupError:
            pid_file.unlink(missing_ok=True)
            return False
        except ValueError:
            return True  # written but not yet filled in: the node is starting
        return True

    def _get(self, path: str, timeout: float = 5) -> dict | None:
        for url in self.urls():
            try:
                with urllib.request.urlopen(url + path, timeout=timeout) as response:
                    return json.loads(response.read())
            except (urllib.error.URLError, OSError, ValueError):
                continue
        return None

    def health(self) -> dict | None:
        return self._get("/_cluster/health")

    def wait_for(self, status: str, timeout_s: float = 240, nodes: int | None = None) -> dict:
        """Wait until the cluster reports ``status`` (or better) with ``nodes`` nodes joined."""
        wanted = {"green": ("green",), "yellow": ("yellow", "green")}[status]
        expected_nodes = self.nodes if nodes is None else nodes
        deadline = time.monotonic() + timeout_s
        health = None
        while time.monotonic() < deadline:
            health = self._get(f"/_cluster/health?wait_for_status={status}&timeout=5s", timeout=10)
            if health and health.get("status") in wanted and health.get("number_of_nodes") == expected_nodes:
                return health
            time.sleep(1)
        raise ClusterError(f"the cluster did not reach {status} with {expected_nodes} nodes in "
                           f"{timeout_s:.0f} s (last health: {health}); logs in {self.workdir}/node-*/logs")

    def kill_node(self, number: int, sig: int = signal.SIGKILL) -> None:
        pid_file = self.pid_file(number)
        if self._alive(number):
            os.kill(int(pid_file.read_text()), sig)
        if sig == signal.SIGKILL:
            pid_file.unlink(missing_ok=True)

    def stop(self, timeout_s: float = 60) -> None:
        pids = []
        for number in range(1, self.nodes + 1):
            written = self.pid_file(number).read_text().strip() if self.pid_file(number).exists() else ""
            if written.isdigit() and self._alive(number):
                os.kill(int(written), signal.SIGTERM)
                pids.append((number, int(written)))
        deadline = time.monotonic() + timeout_s
        for number, pid in pids:
            while time.monotonic() < deadline and self._alive(number):
                time.sleep(0.5)
            if self._alive(number):
                os.kill(pid, signal.SIGKILL)
            self.pid_file(number).unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["fetch", "start", "stop", "status", "kill-node", "start-node"])
    parser.add_argument("node", nargs="?", type=int, help="node number for kill-node / start-node")
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    parser.add_argument("--http-port", type=int, default=9250)
    parser.add_argument("--nodes", type=int, default=3)
    parser.add_argument("--heap", default="256m")
    parser.add_argument("--timeout", type=float, default=240)
    args = parser.parse_args(argv)
    cluster = LocalCluster(args.workdir, args.http_port, args.nodes, args.heap)
    try:
        if args.action == "fetch":
            print(distribution_home())
        elif args.action == "start":
            cluster.start(args.timeout)
            print(f"cluster green at {cluster.url} ({args.nodes} nodes, data in {args.workdir})")
        elif args.action == "stop":
            cluster.stop()
        elif args.action == "status":
            print(json.dumps(cluster.health(), indent=2))
        elif args.action == "kill-node":
            cluster.kill_node(args.node)
        elif args.action == "start-node":
            cluster.start_node(args.node)
    except ClusterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
