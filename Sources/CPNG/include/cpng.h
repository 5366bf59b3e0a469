#ifndef VDMZ_CPNG_H
#define VDMZ_CPNG_H
/* Small C shim over libpng's low-level API (placeholder). */
int cpng_version(void);
#endif
