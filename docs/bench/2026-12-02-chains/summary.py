"""Random access against a whole decode, from access.sh's log: the mean wall and CPU (user + sys) time of
the uniformly drawn images (all but the first two, which are the worst cases: a shard's first image and a
borrower's first image) over the mean of the whole decodes.
    python3 summary.py access.log"""
import re
import statistics as st
import sys

text = open(sys.argv[1]).read()
whole = re.findall(r"== whole decode(?: again)?\n([\d.]+) s wall, ([\d.]+) s user, ([\d.]+) s sys", text)
runs = re.findall(r"== only (\d+)\n([\d.]+) s wall, ([\d.]+) s user, ([\d.]+) s sys", text)
wall = st.mean(float(w) for w, _, _ in whole)
cpu = st.mean(float(u) + float(s) for _, u, s in whole)
print(f"whole decode: wall {wall:.1f} s, CPU {cpu:.1f} s (mean of {len(whole)})")
for name, w, u, s in runs[:2]:
    print(f"worst case {name}: wall {float(w):.2f} s ({100 * float(w) / wall:.2f} %), CPU {float(u) + float(s):.2f} s")
drawn = runs[2:]
w = [float(r[1]) for r in drawn]
c = [float(r[2]) + float(r[3]) for r in drawn]
print(f"{len(drawn)} drawn images: mean wall {st.mean(w):.3f} s = {100 * st.mean(w) / wall:.2f} % of the whole decode; "
      f"mean CPU {st.mean(c):.3f} s = {100 * st.mean(c) / cpu:.2f} %; median wall {st.median(w):.2f} s, max {max(w):.2f} s")
