"""The hostile corpus: what hundreds of clerks will type, upload and try (issue 16).

Each case failed before its fix; they share the helpers of the tests above this folder.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
