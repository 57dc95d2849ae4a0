"""Run every benchmark: `make bench`."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

for script in sorted(HERE.glob("bench_*.py")):
    print(f"== {script.stem}", flush=True)
    runpy.run_path(str(script), run_name="__main__")
