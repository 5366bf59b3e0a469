"""The chain groups of a format-4 archive of RGB images (no side planes): per shard, the chains' image
counts and each loan (words, untouched, lender images that read its hole), and how many of the lender's
images need a borrower decoded first.
    python3 groups.py SET.vdmz"""
import struct
import sys


def varint(d, i):
    v = s = 0
    while True:
        b = d[i]
        i += 1
        v |= (b & 127) << s
        s += 7
        if b < 128:
            return v, i


d = open(sys.argv[1], "rb").read()
assert d[8] == 4, "not a format-4 archive"
(index_length,) = struct.unpack_from("<I", d, 44)
i = 48
k, i = varint(d, i)
shards = []
for _ in range(k):
    n, i = varint(d, i)
    length, i = varint(d, i)
    shards.append((n, length))
raw, i = varint(d, i)
stored, i = varint(d, i)
i += stored
plen, i = varint(d, i)
prefix = d[i:i + plen]
offset = 48 + index_length + 4
for s, (n, length) in enumerate(shards):
    payload = prefix + d[offset + 8:offset + length - 4]
    offset += length
    assert payload[0] == 5, f"shard {s}: payload version {payload[0]}"
    j = 19
    g, j = varint(payload, j)
    counts = []
    for _ in range(g):
        c, j = varint(payload, j)
        counts.append(c)
    loans = []
    for _ in range(g - 1):
        w, j = varint(payload, j)
        u, j = varint(payload, j)
        q, j = varint(payload, j)
        loans.append((w, u, q))
    print(f"shard {s}: chains {counts}")
    print(f"  loans (words, untouched, lender images): {loans}")
    print(f"  lender images needing a borrower: {max(q for _, _, q in loans)} of {counts[0]}; "
          f"borrowers needed summed over the lender's images: {sum(q for _, _, q in loans)}")
