import collections,statistics,sys
d=collections.defaultdict(list)
for l in open(sys.argv[1]):
    b,t,w,u=l.split(); d[(b,t)].append((float(w),float(u)))
for k in sorted(d): print(k, 'wall', ' '.join('%.2f'%w for w,u in d[k]), '| med wall %.2f user %.2f'%(statistics.median(w for w,u in d[k]),statistics.median(u for w,u in d[k])))
for b in sorted(set(k[0] for k in d)):
    print(b, 'round ratios', ' '.join('%.2f'%(a[0]/c[0]) for a,c in zip(d[(b,'t1')],d[(b,'t2')])), 'median of round ratios %.2f'%statistics.median(a[0]/c[0] for a,c in zip(d[(b,'t1')],d[(b,'t2')])))
