#ifndef VDMZ_CPNG_H
#define VDMZ_CPNG_H
/*
 * Small C shim over libpng's LOW-LEVEL API and zlib, used by the Codec target.
 *
 * Only lossless transforms are applied on read: sub-8-bit samples are unpacked to one byte per sample
 * (values unchanged, never rescaled), 16-bit samples stay big-endian, interlaced images are
 * de-interlaced, palette indices stay indices, tRNS is reported as data (never expanded to alpha), and
 * no gamma or colour conversion is ever applied. libpng's errors (which long-jump) are caught here with
 * setjmp and turned into an error code plus a message; nothing long-jumps into Swift.
 */
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Error codes returned by every function (0 = success). */
enum {
    CPNG_OK = 0,
    CPNG_ERR_NOT_PNG = 1,     /* the PNG signature is missing */
    CPNG_ERR_TRUNCATED = 2,   /* the data ends before the image does */
    CPNG_ERR_CORRUPT = 3,     /* libpng rejected the data (CRC error, bad chunk, bad zlib stream...) */
    CPNG_ERR_TOO_LARGE = 4,   /* width x height exceeds the caller's limit */
    CPNG_ERR_NO_MEMORY = 5,
    CPNG_ERR_INVALID = 6,     /* the caller passed an image libpng cannot write */
    CPNG_ERR_ZLIB = 7         /* a zlib stream is corrupt or does not have the expected length */
};

/** Chunk locations, libpng's values: before PLTE, between PLTE and IDAT, after IDAT. */
enum { CPNG_BEFORE_PLTE = 1, CPNG_BEFORE_IDAT = 2, CPNG_AFTER_IDAT = 8 };

/** An ancillary chunk kept verbatim (its data bytes exactly as in the file). */
typedef struct cpng_chunk {
    char name[5];        /* four ASCII letters and a NUL */
    uint8_t location;    /* CPNG_BEFORE_PLTE, CPNG_BEFORE_IDAT or CPNG_AFTER_IDAT */
    uint8_t *data;       /* owned by the image (malloc) */
    size_t size;
} cpng_chunk;

/**
 * A decoded PNG. samples holds height rows of width * channels samples, row-major, channels interleaved,
 * one byte per sample for bit depths 1..8 (unpacked: values 0 ..< 2^depth) and two bytes per sample,
 * big-endian, for bit depth 16. Palette images hold indices.
 */
typedef struct cpng_image {
    uint32_t width, height;
    int color_type;          /* PNG code: 0 gray, 2 RGB, 3 palette, 4 gray+alpha, 6 RGBA */
    int bit_depth;           /* 1, 2, 4, 8 or 16 */
    int interlaced;          /* 1 if Adam7 */
    int channels;            /* 1, 2, 3 or 4 (palette: 1) */
    uint8_t *samples;        /* owned (malloc) */
    size_t samples_size;
    int palette_count;       /* PLTE entries (0 when absent) */
    uint8_t palette[768];    /* RGB triples */
    int trns_size;           /* bytes of the tRNS chunk content, 0 when absent */
    uint8_t trns[256];       /* palette: one alpha per entry; gray: 2 bytes BE; RGB: 6 bytes BE */
    int chunk_count;
    cpng_chunk *chunks;      /* owned (malloc) */
} cpng_image;

/** Names of the ancillary chunks kept verbatim (5 bytes each, NUL separated) and their count. */
extern const char cpng_kept_chunk_names[];
extern const int cpng_kept_chunk_count;

/**
 * Decodes a PNG held in memory. On success fills *out (free with cpng_image_free) and returns CPNG_OK.
 * Images with width * height > max_pixels are refused before any pixel memory is allocated.
 * On failure returns an error code, writes a NUL-terminated message into msg, and *out owns nothing.
 */
int cpng_read(const uint8_t *data, size_t size, uint64_t max_pixels, cpng_image *out, char *msg, size_t msg_capacity);

/** Frees what a cpng_image owns (safe on a zeroed image). */
void cpng_image_free(cpng_image *image);

/**
 * Encodes image as a PNG in memory with the given zlib level (0..9, or -1 for libpng's default).
 * On success *out (free with cpng_free) holds *out_size bytes.
 */
int cpng_write(const cpng_image *image, int zlib_level, uint8_t **out, size_t *out_size, char *msg, size_t msg_capacity);

/** Frees a buffer returned by this library. */
void cpng_free(void *pointer);

/** zlib-compresses (compress2, level 9) size bytes into a new buffer *out of *out_size bytes. */
int cpng_deflate(const uint8_t *data, size_t size, uint8_t **out, size_t *out_size);

/**
 * Inflates a zlib stream that must decompress to exactly expected_size bytes and end exactly at the
 * end of data; anything else (corrupt, shorter, longer, trailing bytes) returns CPNG_ERR_ZLIB.
 */
int cpng_inflate(const uint8_t *data, size_t size, uint8_t *out, size_t expected_size);

/** CRC-32 (zlib's) of size bytes, continuing from crc (start with 0). */
uint32_t cpng_crc32(uint32_t crc, const uint8_t *data, size_t size);

/** libpng's version number (e.g. 10639 for 1.6.39). */
int cpng_version(void);

#ifdef __cplusplus
}
#endif
#endif
