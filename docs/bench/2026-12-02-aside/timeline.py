import re,sys,collections
samples=[];cur=None
for line in open(sys.argv[1]):
    if re.match(r'^\s*\d+\s+\d+\.\d+:',line):
        p=line.split(); cur={'tid':p[0],'t':float(p[1].rstrip(':')),'stack':[]}; samples.append(cur)
    elif line.strip() and cur is not None:
        l=line.strip(); cur['stack'].append(l.split(' ',1)[1] if ' ' in l else l)
KEYS=['CopyParser','recording','bestCoding','WeightedStripeCoder','StripeCoder','ContextPixelCoder','Stored','deflate','compress2','PayloadSizeBound','payloadSurelyExceeds','BitsBackSizeBound','Convolution3x3','Denoiser','PixelCodec','PNG','cpng','inflate','Container','serialized','SHA','CRC','helperLoop']
def key(s):
    for f in s['stack']:
        for k in KEYS:
            if k in f: return k
    return (s['stack'][0][:40] if s['stack'] else '?')
t0=min(s['t'] for s in samples); B=float(sys.argv[2]) if len(sys.argv)>2 else 0.02
bins=collections.defaultdict(lambda: collections.defaultdict(collections.Counter))
for s in samples:
    k=key(s)
    if 'helperLoop' in k and len(s['stack'])<4: continue
    bins[int((s['t']-t0)/B)][s['tid']][k]+=1
tids=[t for t,_ in collections.Counter(s['tid'] for s in samples).most_common(2)]
for b in sorted(bins):
    row=[]
    for t in tids:
        c=bins[b][t]; n=sum(c.values())
        row.append('%3d %-22s'%(n, c.most_common(1)[0][0][:22] if c else ''))
    print('%5.2f  '%(b*B)+' | '.join(row))
