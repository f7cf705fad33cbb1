"""Benchmark the nodes of a running Ray cluster: one Ray task per node runs `bench --output`.

Ray is an optional extra (`pip install 'framework-advisor[fleet-ray]'`), imported only
when a Ray fleet runs. The advisor joins the cluster at --address as a driver (it never
starts one), picks the alive nodes with the --resources and --labels asked for, and pins
one task (fleet/ray_task.py) to each with a hard node affinity. A task reserves its whole
node (every CPU and GPU Ray counts there, as Slurm's --exclusive), so tasks sharing a node
(--share-nodes) take turns. The record's text and the bench's stderr come back through
Ray's object store (the nodes need no shared filesystem) and are written, atomically,
into --output-dir. A task still held when the cancel's grace period ends is
force-cancelled. Ray keeps its own files under the cluster's temporary folder, which
whoever ran `ray start` chose (--temp-dir, /tmp/ray by default); the advisor names none.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import logging
import re
import signal
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Self

from advisor.base.errors import JobFailedError, UsageError, quoted
from advisor.base.fileio import atomic_write_text, make_private_folder
from advisor.base.text import one_line
from advisor.fleet.backend import (
    FleetBackend,
    FleetRequest,
    RunState,
    TaskOutcome,
)
from advisor.fleet.ray_task import Finished, Started, bench_on_node

MISSING = "Ray is not installed: pip install 'framework-advisor[fleet-ray]'"
_CONNECT_TIMEOUT_S = 10.0
_SELECTION_ONLY = {"CPU", "GPU", "memory", "object_store_memory"}  # not asked of a task


class RayUnavailableError(UsageError):
    """Ray, an optional extra, is not installed here."""

    code = "no-ray"


@dataclass(frozen=True)
class RayOptions:
    """Which cluster, how many tasks on which nodes, and the bench they run."""

    output_dir: Path
    address: str  # HOST:PORT, as `ray start --head` prints it
    nodes: int = 1
    preset: str = "quick"
    python: str | None = None  # on the nodes; None: the Python of Ray's workers
    resources: tuple[tuple[str, float], ...] = ()  # a node has at least these
    labels: tuple[tuple[str, str], ...] = ()  # a node carries these labels
    share_nodes: bool = False  # more tasks than matching nodes take turns


@dataclass(frozen=True)
class RayNode:
    """An alive node of the cluster, as ray.nodes() describes it."""

    node_id: str
    host: str
    address: str
    resources: Mapping[str, float]  # the node's total: CPU, GPU, memory, custom ones
    labels: Mapping[str, str]

    @property
    def cpus(self) -> float:
        """The CPUs Ray counts on the node."""
        return self.resources.get("CPU", 0.0)

    @property
    def gpus(self) -> float:
        """The GPUs Ray counts on the node."""
        return self.resources.get("GPU", 0.0)


def _ray() -> ModuleType:
    """The ray package, or one line saying how to install it."""
    try:
        return importlib.import_module("ray")
    except ImportError:
        raise RayUnavailableError(MISSING) from None


def _host_and_port(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise UsageError(
            f"--address {quoted(address)}: not HOST:PORT (the address `ray start --head` prints)"
        )
    return host.strip("[]"), int(port)


def connect(address: str) -> ModuleType:
    """Join the cluster at HOST:PORT as a driver; the ray package, connected.

    ray.init waits for an absent cluster without end, so the port is tried first.
    """
    ray = _ray()
    try:
        socket.create_connection(_host_and_port(address), timeout=_CONNECT_TIMEOUT_S).close()
    except OSError as exc:
        raise JobFailedError(
            f"no Ray cluster answers at {address} ({exc.strerror or exc})"
        ) from None
    sigterm = signal.getsignal(signal.SIGTERM)
    try:
        ray.init(address=address, logging_level=logging.ERROR, log_to_driver=False)
    except Exception as exc:  # Ray raises many kinds; each is one line here
        raise JobFailedError(f"Ray could not join the cluster at {address}: {_said(exc)}") from None
    finally:  # ray.init makes SIGTERM exit at once; the advisor's stop signals keep what ran
        with contextlib.suppress(ValueError):  # only the main thread sets handlers
            signal.signal(signal.SIGTERM, sigterm)
    return ray


def _said(exc: BaseException) -> str:
    """The last line of what Ray said (its task errors carry a whole traceback)."""
    cause = getattr(exc, "cause", None)
    if isinstance(cause, BaseException) and str(cause):
        exc = cause
    lines = [line for line in str(exc).splitlines() if line.strip()]
    return one_line(f"{type(exc).__name__}: {lines[-1]}" if lines else type(exc).__name__)


def alive_nodes(described: list[dict[str, Any]]) -> list[RayNode]:
    """The nodes ray.nodes() describes as alive, in host order."""
    nodes = [
        RayNode(
            str(node["NodeID"]),
            str(node.get("NodeManagerHostname") or node.get("NodeManagerAddress", "")),
            str(node.get("NodeManagerAddress", "")),
            {str(k): float(v) for k, v in node.get("Resources", {}).items()},
            {str(k): str(v) for k, v in (node.get("Labels") or {}).items()},
        )
        for node in described
        if node.get("Alive")
    ]
    return sorted(nodes, key=lambda n: (n.host, n.address, n.node_id))


def placement(nodes: list[RayNode], options: RayOptions) -> list[RayNode]:
    """The node of each task: distinct matching nodes, or turns on them with --share-nodes.

    A node with no CPU for Ray (a head started with --num-cpus 0) takes no task.
    """
    matching = [
        node
        for node in nodes
        if node.cpus > 0
        and all(node.resources.get(name, 0.0) >= amount for name, amount in options.resources)
        and all(node.labels.get(key) == value for key, value in options.labels)
    ]
    if not matching:
        raise UsageError(
            f"none of the {len(nodes)} alive node(s) of the cluster at {options.address} "
            f"has {_asked(options)}"
        )
    if len(matching) < options.nodes and not options.share_nodes:
        raise UsageError(
            f"--nodes {options.nodes}: the cluster at {options.address} has only "
            f"{len(matching)} alive node(s) with {_asked(options)} "
            f"({', '.join(n.host for n in matching)}); ask for fewer, or add --share-nodes "
            "to let the tasks take turns on them"
        )
    return [matching[index % len(matching)] for index in range(options.nodes)]


def _asked(options: RayOptions) -> str:
    """'a CPU for Ray', 'a CPU for Ray and GPU=1, zone=a'."""
    wanted = [f"{name}={amount:g}" for name, amount in options.resources]
    wanted += [f"{key}={value}" for key, value in options.labels]
    return "a CPU for Ray" + (f" and {', '.join(wanted)}" if wanted else "")


class _Task:
    """One task: where it was sent, where it stands, what it brought."""

    def __init__(self, name: str, node: RayNode, items: Any) -> None:
        self.name = name  # "JOBID_INDEX"
        self.node = node
        self.items = items  # Ray's ObjectRefGenerator
        self.state = "PENDING"
        self.host = ""
        self.outcome: TaskOutcome | None = None  # set once it ended

    def held(self) -> RunState:
        if self.state == "PENDING":
            return RunState(self.state, f"waiting for {self.node.host}", "")
        return RunState(self.state, "", self.host)

    def end(
        self,
        state: str,
        reason: str | None = None,
        exit_code: str | None = None,
        record: Path | None = None,
        log_tail: str | None = None,
    ) -> None:
        host = self.host or self.node.host
        self.outcome = TaskOutcome(
            RayFleet.title, self.name, state, reason, exit_code, host, record, log_tail
        )


class RayFleet(FleetBackend):
    """The fleet as Ray tasks pinned to the nodes of a running cluster."""

    title = "Ray"
    help = "run the benchmark as one Ray task per node of a running Ray cluster"
    description = (
        "Joins the Ray cluster at --address (run it on a node of the cluster) and runs "
        "`python -m advisor bench` on each chosen node with the Python of its Ray workers, "
        "which must have framework-advisor installed; the records come back through Ray. "
        "Needs the fleet-ray extra: pip install 'framework-advisor[fleet-ray]'."
    )

    def __init__(self, options: RayOptions) -> None:
        self.options = options
        self.job = ""
        self.tasks: list[_Task] = []
        self.ray: ModuleType | None = None

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        """--address, --nodes, --resources, --labels, --share-nodes."""
        parser.add_argument(
            "--address", required=True, metavar="HOST:PORT", help="the cluster's head (GCS)"
        )
        parser.add_argument(
            "--nodes", type=int, default=1, metavar="N", help="tasks, one node each (default 1)"
        )
        parser.add_argument(
            "--resources",
            type=_pairs(float),
            default=(),
            metavar="NAME=AMOUNT,...",
            help="only nodes with at least these Ray resources, e.g. GPU=1",
        )
        parser.add_argument(
            "--labels",
            type=_pairs(str),
            default=(),
            metavar="KEY=VALUE,...",
            help="only nodes with these labels (ray start --labels)",
        )
        parser.add_argument(
            "--share-nodes",
            action="store_true",
            help="with more tasks than matching nodes, let them take turns on a node",
        )

    @classmethod
    def from_arguments(cls, request: FleetRequest, args: argparse.Namespace) -> Self:
        """The options as given; --python names a path on the nodes, checked there."""
        _host_and_port(args.address)
        if args.nodes < 1:
            raise UsageError(f"--nodes {args.nodes}: must be at least 1")
        return cls(
            RayOptions(
                request.output_dir,
                args.address,
                args.nodes,
                request.preset,
                request.python,
                args.resources,
                args.labels,
                args.share_nodes,
            )
        )

    @property
    def count(self) -> int:
        """One task per --nodes."""
        return self.options.nodes

    def _chosen(self) -> list[RayNode]:
        self.ray = self.ray or connect(self.options.address)
        return placement(alive_nodes(self.ray.nodes()), self.options)

    def preview(self) -> str:
        """The nodes each task would go to and the command it would run."""
        try:
            chosen = self._chosen()
        finally:
            self.close()
        options = self.options
        lines = [
            f"task {index} on {node.host} ({node.address}, node {node.node_id[:12]}): "
            f"reserves {node.cpus:g} CPU, {node.gpus:g} GPU"
            for index, node in enumerate(chosen)
        ]
        python = f" --python {options.python}" if options.python else ""
        lines += [
            f"each runs: PYTHON -m advisor bench --preset {options.preset} --quiet{python} "
            "--output TEMP/record.json (PYTHON: the Python of the node's Ray workers; TEMP: "
            "a temporary folder of the node, removed after)",
            f"records: {options.output_dir}/record-JOB_TASK-HOST.json; "
            f"bench logs: {options.output_dir}/ray-JOB_TASK.log",
        ]
        return "\n".join(lines) + "\n"

    def submit(self) -> str:
        """Send one task to each chosen node."""
        chosen = self._chosen()
        ray = self._connected()
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

        make_private_folder(self.options.output_dir)
        self.job = ray.get_runtime_context().get_job_id()
        task = ray.remote(bench_on_node)
        custom = {k: v for k, v in self.options.resources if k not in _SELECTION_ONLY}
        for index, node in enumerate(chosen):
            items = task.options(
                num_cpus=node.cpus,
                num_gpus=node.gpus,
                resources=custom,
                scheduling_strategy=NodeAffinitySchedulingStrategy(node.node_id, soft=False),
                max_retries=0,  # a crash is a finding, not something to hide by rerunning
                name=f"framework-advisor-bench-{index}",
            ).remote(self.options.preset, self.options.python)
            self.tasks.append(_Task(f"{self.job}_{index}", node, items))
        hosts = len({node.node_id for node in chosen})
        return (
            f"submitted {self.submitted}: {len(chosen)} task{'s' if len(chosen) != 1 else ''} "
            f"on {hosts} node{'s' if hosts != 1 else ''}"
        )

    @property
    def submitted(self) -> str:
        """'Ray job 01000000'."""
        return f"Ray job {self.job}"

    def _connected(self) -> ModuleType:
        assert self.ray is not None, "connect() comes first"
        return self.ray

    def poll(self) -> dict[str, RunState]:
        """Take every item the tasks sent since the last poll; the tasks not yet ended."""
        for task in self.tasks:
            while task.outcome is None and self._connected().wait([task.items], timeout=0)[0]:
                self._advance(task)
        return {task.name: task.held() for task in self._held()}

    def _advance(self, task: _Task) -> None:
        ray = self._connected()
        try:
            item = ray.get(next(task.items))
        except StopIteration:  # it ended without its result: cannot happen, but say so
            task.end("FAILED", "the task ended without a result")
        except ray.exceptions.TaskCancelledError:
            task.end("CANCELLED")
        except ray.exceptions.RayError as exc:  # the task raised, its worker or node died
            task.end("FAILED", _said(exc))
        else:
            if isinstance(item, Started):
                task.state, task.host = "RUNNING", item.host
            else:
                self._keep(task, item)

    def _keep(self, task: _Task, result: Finished) -> None:
        """Write the record and the log into the output folder; the task's outcome."""
        stem = f"{task.name}-{re.sub(r'[^A-Za-z0-9.-]', '_', task.host) or 'node'}"
        record = None
        if result.record is not None:
            record = self.options.output_dir / f"record-{stem}.json"
            atomic_write_text(record, result.record)
        atomic_write_text(self.options.output_dir / f"ray-{task.name}.log", result.log)
        lines = [line for line in result.log.splitlines() if line.strip()]
        task.end(
            "COMPLETED" if result.status == 0 else "FAILED",
            exit_code=str(result.status) if result.status else None,
            record=record,
            log_tail=one_line(lines[-1]) if lines else None,
        )

    def _held(self) -> list[_Task]:
        return [task for task in self.tasks if task.outcome is None]

    def cancel(self) -> str:
        """ray.cancel every task not yet ended: each stops its bench, then ends."""
        held = self._held()
        for task in held:
            self._connected().cancel(task.items, force=False)
        return f"cancelling: ray.cancel on {len(held)} task{'s' if len(held) != 1 else ''}"

    def collect(self) -> tuple[TaskOutcome, ...]:
        """Each task's outcome; one still held (after the cancel's grace period, or after a
        failure to follow) is force-cancelled."""
        for task in self._held():
            self._connected().cancel(task.items, force=True)
            task.end("CANCELLED", "still running when the advisor stopped following it")
        return tuple(task.outcome for task in self.tasks if task.outcome is not None)

    def withdraw(self) -> str:
        """Force-cancel every task not yet ended; what the error line adds about them."""
        held = len(self._held())
        self.collect()
        return f"; force-cancelled the {held} Ray task(s) still held" if held else ""

    def close(self) -> None:
        """Leave the cluster (the tasks have ended, or were cancelled)."""
        if self.ray is not None:
            self.ray.shutdown()
            self.ray = None


def _pairs(kind: type[float] | type[str]) -> Any:
    """An argparse type: 'NAME=VALUE,...' as (name, value) pairs, the values of `kind`."""

    def parse(text: str) -> tuple[tuple[str, Any], ...]:
        pairs = []
        for item in filter(None, (part.strip() for part in text.split(","))):
            name, equals, value = item.partition("=")
            if not equals or not name.strip():
                raise argparse.ArgumentTypeError(f"not NAME=VALUE: {quoted(item)}")
            try:
                pairs.append((name.strip(), kind(value.strip())))
            except ValueError:
                raise argparse.ArgumentTypeError(f"not a number: {quoted(item)}") from None
        if not pairs:
            raise argparse.ArgumentTypeError(f"no NAME=VALUE in {quoted(text)}")
        return tuple(pairs)

    return parse
