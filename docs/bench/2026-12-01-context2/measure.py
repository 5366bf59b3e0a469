#!/usr/bin/env python3
"""Compress every PNG of the given folders with vdmz --coder context, decode it, compare pixels; print CSV."""
import subprocess, sys, os, glob, time, resource
import numpy as np
from PIL import Image
vdmz, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
print("image,bytes,exact,encode_user_s")
for d in sys.argv[3:]:
    for f in sorted(glob.glob(os.path.join(d, "*.png"))):
        name = os.path.basename(f)
        v = os.path.join(out, name + ".vdmz"); back = os.path.join(out, name)
        for p in (v, back):
            if os.path.exists(p): os.remove(p)
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
        subprocess.run([vdmz, "compress", "-q", "--coder", "context", f, "-o", v], check=True)
        user = resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime - before
        subprocess.run([vdmz, "decompress", "-q", v, "-o", back], check=True)
        a = np.array(Image.open(f).convert("RGB")); b = np.array(Image.open(back).convert("RGB"))
        print(f"{name},{os.path.getsize(v)},{a.shape == b.shape and bool((a == b).all())},{user:.2f}", flush=True)
