"""The benchmark's modules live in bench/ (run.py imports them as top-level modules)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
