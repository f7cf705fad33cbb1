"""Which frameworks import in this Python environment: the advisor's environment list uses it.

Usage: python env_check.py MODULE [MODULE ...]   (see _probe_common for the protocol)
Each module is imported for real, one after the other, and reported as importable (with
its version) or not (with the reason).
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _probe_common import is_installed, last_line, reserve_stdout, timed_import, write_document


def _check(module_name):
    if not is_installed(module_name):
        return {"importable": False, "version": None, "reason": "not installed"}
    try:
        module, _seconds = timed_import(module_name)
    except Exception as exc:  # a broken install is what the user needs to hear about
        return {"importable": False, "version": None, "reason": last_line(exc)}
    return {"importable": True, "version": getattr(module, "__version__", None), "reason": None}


def main():
    out = reserve_stdout()
    document = {
        "probe": "env_check",
        "python_version": "%d.%d.%d" % sys.version_info[:3],
        "prefix": sys.prefix,
        "modules": {name: _check(name) for name in sys.argv[1:]},
    }
    write_document(out, document)
    return 0


if __name__ == "__main__":
    sys.exit(main())
