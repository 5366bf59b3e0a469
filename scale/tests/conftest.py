"""The repository root on sys.path, so that `scale.dask_compress` imports."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))
