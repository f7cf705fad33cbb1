"""Each child process's own folder: its home, caches and temporary files, removed when it ends.

The runtimes a child imports write where its environment points them: ONNX Runtime a
telemetry device id and event store under ``$XDG_CACHE_HOME`` (``~/.cache``) and a
``.ses`` file in the temporary folder, Keras ``~/.keras/keras.json``, TorchInductor its
cache and 150 MB of precompiled headers in ``$TMPDIR/torchinductor_<user>``, CUDA its
JIT cache in ``~/.nv``. Every child gets a private folder for all of that (home and
temporary folder alike), and telemetry off where a runtime has a switch, so nothing is
left in the user's home or the shared temporary folder.
"""

from __future__ import annotations

import shutil
import site
import tempfile
from collections.abc import Mapping
from pathlib import Path

# Switches, not folders. ONNX Runtime 1.32 on Linux writes a device id and queues
# telemetry events for upload unless ORT_DISABLE_TELEMETRY is set (its pybind module);
# DO_NOT_TRACK is the cross-tool convention. Bytecode is not written next to sources:
# the chosen environment's site-packages is the user's, not the advisor's.
_SWITCHES = {
    "ORT_DISABLE_TELEMETRY": "1",
    "DO_NOT_TRACK": "1",
    "PYTHONDONTWRITEBYTECODE": "1",
}

# Variables that name where a runtime writes, each set below the child's home so that a
# value the user exported (a cache in their home) is not written to either.
_BELOW_HOME = {
    "XDG_CACHE_HOME": ".cache",
    "XDG_CONFIG_HOME": ".config",
    "XDG_DATA_HOME": ".local/share",
    "XDG_STATE_HOME": ".local/state",
    "KERAS_HOME": ".keras",
    "MPLCONFIGDIR": ".config/matplotlib",
    "TORCH_HOME": ".cache/torch",
    "TRITON_HOME": ".",
    "TRITON_CACHE_DIR": ".triton/cache",
    "CUDA_CACHE_PATH": ".nv/ComputeCache",
    "NUMBA_CACHE_DIR": ".cache/numba",
}
_TEMPORARY = ("TMPDIR", "TEMP", "TMP")
_INDUCTOR_CACHE = "TORCHINDUCTOR_CACHE_DIR"


def make_child_folder() -> Path:
    """A fresh private folder (0700) in the advisor's temporary folder, with home/ and tmp/."""
    folder = Path(tempfile.mkdtemp(prefix="framework-advisor-child-"))
    (folder / "home").mkdir(mode=0o700)
    (folder / "tmp").mkdir(mode=0o700)
    return folder


def child_environment(base: Mapping[str, str], folder: Path) -> dict[str, str]:
    """``base`` with the child's home, caches and temporary folder inside ``folder``.

    Packages installed with ``pip install --user`` stay importable: the user base is
    the one the real home gives (PYTHONUSERBASE), not the child's empty home.
    """
    home, temporary = folder / "home", folder / "tmp"
    env = dict(base)
    env.setdefault("PYTHONUSERBASE", site.getuserbase())
    env["HOME"] = str(home)
    env.update({name: str(home / below) for name, below in _BELOW_HOME.items()})
    env.update(dict.fromkeys(_TEMPORARY, str(temporary)))
    env[_INDUCTOR_CACHE] = str(temporary / "torchinductor")
    env.update(_SWITCHES)
    return env


def remove_child_folder(folder: Path) -> None:
    """Remove the folder and all a child left in it (called once the child has ended)."""
    shutil.rmtree(folder, ignore_errors=True)
