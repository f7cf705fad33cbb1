"""Operating system, memory and the assembled machine inventory."""

from __future__ import annotations

import platform
import socket
import sys

import psutil

from advisor.machine.cpu import cpu_info
from advisor.machine.gpu import gpu_inventory
from advisor.record import MachineInventory, MemoryInfo, SystemInfo


def _distribution() -> str | None:
    try:
        release = platform.freedesktop_os_release()
    except OSError:
        return None if sys.platform.startswith("linux") else platform.platform(terse=True)
    return release.get("PRETTY_NAME") or release.get("NAME")


def system_info() -> SystemInfo:
    """The operating system and the advisor's own Python."""
    return SystemInfo(
        os=platform.system(),
        distribution=_distribution(),
        kernel=platform.release(),
        hostname=socket.gethostname(),
        python_version=platform.python_version(),
        python_executable=sys.executable,
    )


def memory_info() -> MemoryInfo:
    """RAM and swap as psutil reports them."""
    ram = psutil.virtual_memory()
    swap = psutil.swap_memory()
    return MemoryInfo(int(ram.total), int(ram.available), int(swap.total), int(swap.used))


def machine_inventory() -> MachineInventory:
    """Everything the advisor reads about this machine in its own process."""
    return MachineInventory(system_info(), cpu_info(), memory_info(), gpu_inventory())
