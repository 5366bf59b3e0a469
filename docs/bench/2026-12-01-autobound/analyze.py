import json,sys
def steps_of(T,k):
    kk=max(2,min(T,k)); r=[]
    for j in range(kk):
        st=1+((T-1)*j+(kk-1)//2)//(kk-1)
        if not r or r[-1]!=st: r.append(st)
    return r
def diffusion(T,samples):
    tot=0.0
    for (a,ya),(b,yb) in zip(samples,samples[1:]):
        for i in range(a,b): tot+=ya+(yb-ya)*(i-a)/(b-a)
    return tot+samples[-1][1]
rows=[json.loads(l) for l in open(sys.argv[1])]
Ks=(3,5,7,9,13,17)
errs={K:[] for K in Ks}
for o in rows:
    t=o['step_bpd']; T=len(t); base=o['prior_bpd']+o['reconstruction_bpd']; tot=o['elbo_bpd']
    out=[]
    for K in Ks:
        e=diffusion(T,[(s,t[s-1]) for s in steps_of(T,K)]); r=100*((base+e)/tot-1); errs[K].append(r); out.append('K%d %+.3f'%(K,r))
    print('%-28s %4dx%-4d %.4f '%(o['name'].split('/')[-1],o['width'],o['height'],tot)+' '.join(out))
print('max |err| %:', ' '.join('K%d %.3f'%(K,max(abs(x) for x in v)) for K,v in errs.items()))
