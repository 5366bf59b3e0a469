import collections, sys, re
# Accounts CPU samples of `perf script` output (perf record -g) to the parts of a bits-back encode/decode.
# Usage: perf script -i X.data | swift demangle --simplified | python3 account.py FREQ
freq = float(sys.argv[1]) if len(sys.argv) > 1 else 999
stacks = sys.stdin.read().split('\n\n')
cats = collections.Counter(); serial = collections.Counter(); tot = 0
leaf_other = collections.Counter()
def cat(frames):
    s = '\n'.join(frames)
    if 'Checkpoint' in s or 'SafeTensors' in s or 'PNG' in s or 'png_' in s or 'inflate' in s or 'deflate' in s: return 'load/PNG/IO'
    if 'Convolution3x3' in s: return 'network: convolutions'
    if 'FourierFeatures' in s: return 'network: Fourier input'
    if 'Denoiser' in s: return 'network: other (time embedding, copies, workspace)'
    if 'PixelCodec' in s or 'Categorical' in s: 
        if 'PixelCodec.logits' in s or 'fillLogits' in s: return 'pixels: logits (decoder.logit, exp)'
        return 'pixels: categorical CDF + rANS'
    if 'popGaussian' in s:
        if 'closure' in frames[0] or 'forEachChunk' in s: return 'Gaussian pop: per-element distributions (parallel)'
        return 'Gaussian pop: serial search + rANS'
    if 'pushGaussian' in s:
        if 'forEachChunk' in s: return 'Gaussian push: intervals (parallel)'
        return 'Gaussian push: serial rANS'
    if 'TileContext' in s or 'GaussianNoise' in s: return 'context latents/noise'
    if 'reverseDistribution' in s or 'posterior' in s or 'decoderEstimates' in s or 'ParallelLoop.map' in s: return 'chain bookkeeping (means, deviations, clamps)'
    if 'PlanarTile' in s or 'Message' in s or 'serialize' in s: return 'message/tiles misc'
    if 'dispatch' in s or 'futex' in s or 'sched' in s or 'swift_task' in s: return 'thread hand-off/idle'
    return 'other'
for st in stacks:
    lines = [l.strip() for l in st.strip().split('\n') if l.strip()]
    if len(lines) < 2: continue
    frames = lines[1:]
    tot += 1
    c = cat(frames)
    cats[c] += 1
    if c == 'other' or c == 'thread hand-off/idle':
        f = frames[0].split(' ', 1)[1] if ' ' in frames[0] else frames[0]
        leaf_other[f.split('+0x')[0][:90]] += 1
    if not any('forEachChunk' in f for f in frames): serial[c] += 1
print(f'samples {tot} = {tot/freq:.2f} CPU s')
for k, v in sorted(cats.items(), key=lambda kv: -kv[1]):
    print(f'  {100*v/tot:5.1f} %  {v/freq:6.2f} s  (serial {100*serial[k]/tot:4.1f} %)  {k}')
print(f'  serial total {100*sum(serial.values())/tot:.1f} %')
for k, v in leaf_other.most_common(12): print(f'      other/idle leaf {100*v/tot:5.2f} %  {k}')
