import collections, sys
# Share of CPU samples outside ParallelLoop.forEachChunk (work that runs on one thread whatever --threads).
stacks = open(sys.argv[1]).read().split('\n\n')
tot = 0; ser = collections.Counter(); nser = 0; net = 0
for st in stacks:
    lines = [l.strip() for l in st.strip().split('\n') if l.strip()]
    if len(lines) < 2: continue
    frames = lines[1:]
    if any('Checkpoint' in f or 'SafeTensors' in f or 'PNG' in f or 'png_' in f for f in frames): continue
    tot += 1
    if any('Denoiser.evaluate' in f for f in frames): net += 1
    if any('forEachChunk' in f for f in frames): continue
    nser += 1
    f = frames[0].split(' ', 1)[1] if ' ' in frames[0] else frames[0]
    ser[f.split('+0x')[0][:100]] += 1
print(f'samples {tot}; inside Denoiser.evaluate {100*net/tot:.1f} %; outside ParallelLoop (serial) {100*nser/tot:.1f} %')
for k, v in ser.most_common(int(sys.argv[2]) if len(sys.argv) > 2 else 8): print(f'   {100*v/tot:5.2f} %  {k}')
