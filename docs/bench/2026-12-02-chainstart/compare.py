"""Net coded bits of the same images on a cold and a warm chain (run.sh): what the chain's start costs.

python3 compare.py COLD WARM K   (K: images that go first on the warm chain)
"""
import re
import sys


def images(path):
    text = open(path).read()
    rows = [(int(a), int(b)) for a, b in re.findall(r"net coded (\d+) bits, ELBO (\d+) bits", text)]
    initial = int(re.search(r"initial bits (\d+)", text).group(1))
    return rows, initial


cold, cold_initial = images(sys.argv[1])
warm, _ = images(sys.argv[2])
skip = int(sys.argv[3])
total = 0
for i, (c, w) in enumerate(zip(cold, warm[skip:])):
    total += c[0] - w[0]
    print(f"image {i:2d}: cold {c[0]:6d} bits, warm {w[0]:6d} bits, cold - warm {c[0] - w[0]:5d}, so far {total:6d}")
ramp = sum(c[0] - w[0] for c, w in zip(cold[:3], warm[skip:skip + 3]))
print(f"the cold chain's first three images (its ramp of small tiles): {ramp} bits = {ramp / 8:.0f} bytes more")
print(f"all {len(cold)} images: {total} bits = {total / 8:.0f} bytes more")
print(f"initial bits of the cold chain (heads and words drawn): {cold_initial} = {cold_initial / 8:.0f} bytes")
