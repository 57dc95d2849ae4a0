"""Reading tracking plans loads no YAML library: documents come from the blob cache, and only
a write needs PyYAML or ruamel.yaml. An export or a diff imports this module for a plan that
may have no tracking plans at all."""

from __future__ import annotations

import subprocess
import sys


def test_importing_the_module_loads_no_yaml() -> None:
    code = "import sys, trackplan.trackingplans.files; print(sorted(m for m in ('yaml', 'ruamel', 'trackplan.yamlio') if m in sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded == "[]\n"
