"""Opening the blob cache loads neither the model nor the plan reader: a command that reads
only settings, or answers from the cache, does not pay for them."""

from __future__ import annotations

import subprocess
import sys


def test_the_blob_cache_loads_no_model() -> None:
    probe = (
        "import sys; from trackplan.repo.cache import BlobCache, EventMemo;"
        " print(sorted(m for m in sys.modules if m.startswith(('trackplan.model', 'trackplan.repo.reading'))))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout == "[]\n"
