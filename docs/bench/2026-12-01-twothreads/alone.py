import re
import sys,collections,bisect
samples=[];cur=None
for line in open(sys.argv[1]):
    if re.match(r'^\s*\d+\s+\d+\.\d+:',line):
        parts=line.split()
        cur={'tid':parts[0],'t':float(parts[1].rstrip(':')),'stack':[]}
        samples.append(cur)
    elif line.strip() and cur is not None:
        l=line.strip(); cur['stack'].append(l.split(' ',1)[1] if ' ' in l else l)
tids=collections.Counter(s['tid'] for s in samples).most_common(3)
print(tids)
main,helper=tids[0][0],tids[1][0]
def busy_times(tid): return sorted(s['t'] for s in samples if s['tid']==tid)
KEYS=['ContextPixelCoder','WeightedStripeCoder','StripeCoder','PixelCodec','FourierFeatures','Gaussian','Convolution3x3','Denoiser','BitsBackChain','TileChainCoder','LinearLayer','Message','PNG','cpng','zlib','inflate','deflate','Checkpoint','SafeTensors','WorkerPool.run','helperLoop','WorkerPool.work','TimeEmbedding']
def top(s):
    st=s['stack']
    if st and ('helperLoop' in st[0] or 'WorkerPool.run' in st[0]): return 'SPIN:'+st[0][:40]
    for f in st:
        for k in KEYS:
            if k in f: return k
    return st[0][:60] if st else 'none'
ts=sorted(s['t'] for s in samples)
print('wall span %.2f s'%(ts[-1]-ts[0]))
for me,other in [(main,helper),(helper,main)]:
    ot=busy_times(other)
    def obusy(t,w=0.0007):
        i=bisect.bisect_left(ot,t-w); return i<len(ot) and ot[i]<=t+w
    c=collections.Counter(); call=collections.Counter()
    for s in samples:
        if s['tid']!=me: continue
        k=top(s); call[k]+=1
        if not obusy(s['t']): c[k]+=1
    print('thread',me,'samples',sum(call.values()),'alone',sum(c.values()))
    for k,v in call.most_common(12): print(f'  {c[k]:6d} {v:6d} {k}')
