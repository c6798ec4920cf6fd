"""Host side of forked kernels: the template process and a jupyter_client provisioner.

:class:`Template` starts ``python -m helpers.runner.kernels.template`` (see there) and asks it
for forks over a ``SOCK_SEQPACKET`` socket pair. :class:`ForkProvisioner` is jupyter_client's
:class:`~jupyter_client.provisioning.LocalProvisioner` with one change: where the kernel command
is ``<python> [flags] -m ipykernel_launcher ARGS``, the kernel is a fork of the template for that
interpreter instead of a new process; anything else launches as usual. Connection file, ports,
environment and shutdown are jupyter_client's own, so papermill and nbclient see an ordinary
kernel. The worker is not the fork's parent, so the fork is watched and signalled through a
pidfd (Linux), which cannot be confused with a later process of the same pid.
"""

from __future__ import annotations

import asyncio
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import tempfile
import threading

from jupyter_client.provisioning import LocalProvisioner

LAUNCHER = "ipykernel_launcher"
MAX_MESSAGE = 1 << 20
TEMPLATE_LOG = "template-stderr.log"


class TemplateError(RuntimeError):
    """The template process did not start or did not answer."""


def split_kernel_cmd(cmd: list[str]) -> tuple[tuple[str, ...], list[str]] | None:
    """``(interpreter with its flags, launcher arguments)`` of an ipykernel command, or None."""
    for i in range(1, len(cmd) - 1):
        if cmd[i] == "-m" and cmd[i + 1] == LAUNCHER:
            return tuple(cmd[:i]), list(cmd[i + 2:])
        if not cmd[i].startswith("-"):
            return None
    return None


def _recv(sock: socket.socket, timeout: float, what: str) -> tuple[dict, list[int]]:
    ready, _, _ = select.select([sock], [], [], timeout)
    if not ready:
        raise TemplateError(f"the template did not answer {what} within {timeout:g} s")
    data, fds, _, _ = socket.recv_fds(sock, MAX_MESSAGE, 4)
    if not data:
        raise TemplateError(f"the template ended before answering {what}")
    message = json.loads(data.decode())
    if "error" in message:
        for fd in fds:
            os.close(fd)
        raise TemplateError(message["error"])
    return message, fds


class Template:
    """One template process: imports and ``preload`` datasets loaded, forking kernels on request.

    Parameters
    ----------
    interpreter : tuple of str
        The kernel command up to ``-m ipykernel_launcher`` (the Python and its flags).
    preload : list of str
        Dataset folders to load before the first fork.
    env : dict
        The template's environment: the one its kernels would get.
    timeout : float
        Seconds to wait for it to be ready (imports and loading), from the first :meth:`ready`.

    The process starts at once and imports while the caller does other work; :meth:`ready`
    (and :meth:`fork`, which calls it) waits for it.
    """

    def __init__(self, interpreter: tuple[str, ...], preload: list[str], env: dict,
                 timeout: float = 600.0):
        self.interpreter = interpreter
        self.home = tempfile.mkdtemp(prefix="leadeval-template-")
        self._lock = threading.Lock()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        cmd = [*interpreter, "-m", "helpers.runner.kernels.template", "--fd", str(theirs.fileno())]
        for path in preload:
            cmd += ["--preload", path]
        try:
            with open(os.path.join(self.home, TEMPLATE_LOG), "ab") as err:
                self.proc = subprocess.Popen(cmd, pass_fds=(theirs.fileno(),), env=env,
                                             cwd=self.home, stdin=subprocess.DEVNULL,
                                             stdout=subprocess.DEVNULL, stderr=err)
        except OSError as exc:
            ours.close()
            shutil.rmtree(self.home, ignore_errors=True)
            raise TemplateError(f"could not start the template: {exc}") from exc
        finally:
            theirs.close()
        self.sock = ours
        self.timeout = timeout
        self.report: dict | None = None  # what it imported and loaded, once ready

    def ready(self) -> dict:
        """Wait (up to the timeout given at start) until the template has imported and loaded;
        what it reports. Raises :class:`TemplateError` (and stops it) when it does not."""
        if self.report is None:
            try:
                self.report = _recv(self.sock, self.timeout, "that it is ready")[0]["ready"]
            except Exception as exc:
                tail = self._log_tail()
                self.close()
                raise TemplateError(f"{exc}{tail}") from exc
        return self.report

    def _log_tail(self) -> str:
        try:
            with open(os.path.join(self.home, TEMPLATE_LOG), encoding="utf-8",
                      errors="replace") as fh:
                text = fh.read()[-2000:].strip()
        except OSError:
            return ""
        return f"\ntemplate stderr:\n{text}" if text else ""

    def alive(self) -> bool:
        return self.proc.poll() is None

    def fork(self, args: list[str], env: dict, cwd: str, fds: list[int],
             timeout: float = 30.0) -> tuple[int, int]:
        """A new kernel ``ipykernel_launcher ARGS`` with standard streams ``fds``:
        ``(pid, pidfd)``; the caller owns the pidfd."""
        request = json.dumps({"args": args, "env": env, "cwd": cwd}).encode()
        self.ready()
        with self._lock:
            try:
                socket.send_fds(self.sock, [request], fds)
                message, got = _recv(self.sock, timeout, "a fork request")
            except OSError as exc:
                raise TemplateError(f"the template is gone: {exc}") from exc
        return int(message["pid"]), got[0]

    def close(self) -> None:
        """Stop the template (its remaining kernels are killed) and remove its folder."""
        try:
            self.sock.close()
        except (AttributeError, OSError):
            pass
        proc = getattr(self, "proc", None)
        if proc is not None:
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        shutil.rmtree(self.home, ignore_errors=True)


class ForkedProcess:
    """The part of :class:`subprocess.Popen` that jupyter_client uses, for a kernel forked from
    the template: liveness and signals through its pidfd. The exit status belongs to the
    template (its parent), so a finished kernel reports ``returncode`` -1."""

    stdout = stderr = None

    def __init__(self, pid: int, pidfd: int, stdin: int):
        self.pid, self.pidfd, self._stdin = pid, pidfd, stdin
        self.returncode = None

    def poll(self) -> int | None:
        if self.returncode is None and select.select([self.pidfd], [], [], 0)[0]:
            self.returncode = -1
        return self.returncode

    def wait(self, timeout: float | None = None) -> int | None:
        if self.returncode is None:
            if not select.select([self.pidfd], [], [], timeout)[0]:
                raise subprocess.TimeoutExpired(str(self.pid), timeout)
            self.returncode = -1
        self.close()
        return self.returncode

    def send_signal(self, signum: int) -> None:
        signal.pidfd_send_signal(self.pidfd, signum)  # ProcessLookupError once it has exited

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def close(self) -> None:
        for fd in (self.pidfd, self._stdin):
            try:
                os.close(fd)
            except OSError:
                pass
        self.pidfd = self._stdin = -1


def _fileno(stream, default: int) -> int:
    if stream is None:
        return default
    return stream if isinstance(stream, int) else stream.fileno()


class ForkProvisioner(LocalProvisioner):
    """jupyter_client's local provisioner, forking ipykernel kernels from a template.

    ``templates`` is a callable ``interpreter -> Template or None`` (None: launch as usual),
    set by :class:`helpers.runner.kernels.JobKernels`.
    """

    templates = None

    async def launch_kernel(self, cmd: list[str], **kwargs):
        split = split_kernel_cmd(cmd)
        template = self.templates(split[0]) if split and self.templates else None
        if template is None:
            return await super().launch_kernel(cmd, **kwargs)
        env = dict(kwargs.get("env") or os.environ)
        env["JPY_PARENT_PID"] = str(os.getpid())  # as jupyter_client's launcher sets it
        cwd = str(kwargs.get("cwd") or os.getcwd())
        stdin_read, stdin_write = os.pipe()  # the launcher gives a kernel a pipe for stdin
        try:
            fds = [stdin_read, _fileno(kwargs.get("stdout"), 1), _fileno(kwargs.get("stderr"), 2)]
            pid, pidfd = template.fork(split[1], env, cwd, fds)
        except Exception:
            os.close(stdin_write)
            raise
        finally:
            os.close(stdin_read)
        self.process = ForkedProcess(pid, pidfd, stdin_write)
        self.pid = pid
        self.pgid = pid  # the fork starts its own session, as a launched kernel does
        self.cwd = cwd
        return self.connection_info

    async def kill(self, restart: bool = False) -> None:
        """As LocalProvisioner.kill, returning once a forked kernel has exited (the kernel
        manager would otherwise look again 0.1 s later)."""
        await super().kill(restart)
        if isinstance(self.process, ForkedProcess):
            for _ in range(1000):  # at most 5 s
                if self.process.poll() is not None:
                    break
                await asyncio.sleep(0.005)

    async def wait(self) -> int | None:
        """As LocalProvisioner.wait, without its 0.1 s polling step."""
        if not isinstance(self.process, ForkedProcess):
            return await super().wait()
        ret = 0
        if self.process:
            while await self.poll() is None:
                await asyncio.sleep(0.005)
            ret = self.process.wait()
            self.process = None
        return ret
