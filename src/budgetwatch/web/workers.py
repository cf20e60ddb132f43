"""`serve --workers N`: each worker process accepts on a listening socket of its own, all bound to one address
with SO_REUSEPORT (cli/output.listen), so the kernel spreads new connections over the workers.

With the one socket uvicorn shares among its workers, every idle worker wakes on a new connection and the
first to run accepts all that are waiting (asyncio drains the backlog in one go); keep-alive clients then stay
on it. Twenty clients opening together landed 20/0, 19/1 or 18/2 on two workers: one core serving, the other
idle, and a page's p95 under load doubled. Hashed over the sockets they land about evenly (9/11, 12/8, 10/10).

The supervisor is uvicorn's (health checks, restarts, signals); only the socket a worker is given differs:
a worker started again in a slot gets that slot's socket, whose queued connections wait for it."""

from __future__ import annotations

from socket import socket

from uvicorn.config import STARTUP_FAILURE, Config
from uvicorn.supervisors.multiprocess import Multiprocess, Process, logger


class SpreadMultiprocess(Multiprocess):
    """uvicorn's Multiprocess with worker i accepting on sockets[i] alone (one socket: all share it)."""

    def __init__(self, config: Config, sockets: list[socket]) -> None:
        super().__init__(config, sockets)
        self.slots = sockets

    def _process(self, slot: int) -> Process:
        return Process(self.config, [self.slots[slot % len(self.slots)]])

    def init_processes(self) -> None:
        for slot in range(self.processes_num):
            process = self._process(slot)
            process.start()
            self.processes.append(process)

    def restart_all(self) -> None:
        """Each worker replaced in turn (SIGHUP), its replacement serving before the old one is retired."""
        for slot, old in enumerate(self.processes):
            if self.should_exit.is_set():
                return
            new = self._process(slot)
            new.start()
            if not new.wait_until_ready(self.config.timeout_worker_healthcheck, self.should_exit):
                new.kill()
                new.join()
                if not self.should_exit.is_set():
                    logger.error(f"worker [{new.pid}] was not ready in time; keeping [{old.pid}], restart aborted")
                return
            old.terminate()
            old.join()
            self.processes[slot] = new

    def keep_subprocess_alive(self) -> None:
        if self.should_exit.is_set():
            return
        for slot, process in enumerate(self.processes):
            if process.is_alive(timeout=self.config.timeout_worker_healthcheck):
                continue
            process.kill()  # hung or dead
            process.join()
            if process.exitcode == STARTUP_FAILURE:  # the app or socket is broken: every restart would fail
                logger.error(f"worker [{process.pid}] failed to start, stopping")
                self.should_exit.set()
                return
            if self.should_exit.is_set():
                return
            logger.info(f"worker [{process.pid}] died")
            self.processes[slot] = self._process(slot)
            self.processes[slot].start()
