#include <png.h>
#include <zlib.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cpng.h"

/* Colour management (gAMA, cHRM, sRGB, iCCP, cICP), significant bits, physical size and background:
 * small chunks that change how the pixels are shown; kept byte for byte. Text, time and EXIF are dropped. */
const char cpng_kept_chunk_names[] = "gAMA\0cHRM\0sRGB\0iCCP\0cICP\0sBIT\0pHYs\0bKGD";
const int cpng_kept_chunk_count = 8;

int cpng_version(void) { return (int)png_access_version_number(); }

void cpng_free(void *pointer) { free(pointer); }

/* ---------- error plumbing ---------- */

typedef struct cpng_context {
    char *msg;
    size_t msg_capacity;
    int code;                 /* error code to return when libpng long-jumps */
    /* reading */
    const uint8_t *data;
    size_t size, offset;
    /* writing */
    uint8_t *out;
    size_t out_size, out_capacity;
    /* owned during a call (freed on error) */
    uint8_t *samples;
    png_bytep *rows;
} cpng_context;

static void set_message(char *msg, size_t capacity, const char *text) {
    if (msg == NULL || capacity == 0) return;
    snprintf(msg, capacity, "%s", text);
}

static void on_error(png_structp png, png_const_charp text) {
    cpng_context *ctx = (cpng_context *)png_get_error_ptr(png);
    if (ctx->code == CPNG_OK) ctx->code = CPNG_ERR_CORRUPT;
    set_message(ctx->msg, ctx->msg_capacity, text);
    png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp text) { (void)png; (void)text; }

static void read_from_memory(png_structp png, png_bytep dest, png_size_t length) {
    cpng_context *ctx = (cpng_context *)png_get_io_ptr(png);
    if (length > ctx->size - ctx->offset) {
        ctx->code = CPNG_ERR_TRUNCATED;
        png_error(png, "the PNG data ends early (truncated file)");
    }
    memcpy(dest, ctx->data + ctx->offset, length);
    ctx->offset += length;
}

static void write_to_memory(png_structp png, png_bytep src, png_size_t length) {
    cpng_context *ctx = (cpng_context *)png_get_io_ptr(png);
    if (length > ctx->out_capacity - ctx->out_size) {
        size_t capacity = ctx->out_capacity ? ctx->out_capacity : 4096;
        while (capacity - ctx->out_size < length) {
            if (capacity > SIZE_MAX / 2) { ctx->code = CPNG_ERR_NO_MEMORY; png_error(png, "out of memory"); }
            capacity *= 2;
        }
        uint8_t *grown = (uint8_t *)realloc(ctx->out, capacity);
        if (grown == NULL) { ctx->code = CPNG_ERR_NO_MEMORY; png_error(png, "out of memory"); }
        ctx->out = grown;
        ctx->out_capacity = capacity;
    }
    memcpy(ctx->out + ctx->out_size, src, length);
    ctx->out_size += length;
}

static void flush_memory(png_structp png) { (void)png; }

/* ---------- reading ---------- */

void cpng_image_free(cpng_image *image) {
    if (image == NULL) return;
    free(image->samples);
    image->samples = NULL;
    for (int i = 0; i < image->chunk_count; i++) free(image->chunks[i].data);
    free(image->chunks);
    image->chunks = NULL;
    image->chunk_count = 0;
}

static int copy_kept_chunks(png_structp png, png_infop info, cpng_image *out) {
    png_unknown_chunkp chunks = NULL;
    int count = png_get_unknown_chunks(png, info, &chunks);
    if (count <= 0) return CPNG_OK;
    out->chunks = (cpng_chunk *)calloc((size_t)count, sizeof(cpng_chunk));
    if (out->chunks == NULL) return CPNG_ERR_NO_MEMORY;
    for (int i = 0; i < count; i++) {
        cpng_chunk *dst = &out->chunks[out->chunk_count];
        memcpy(dst->name, chunks[i].name, 4);
        dst->name[4] = 0;
        dst->location = chunks[i].location;
        dst->size = chunks[i].size;
        dst->data = (uint8_t *)malloc(chunks[i].size ? chunks[i].size : 1);
        if (dst->data == NULL) return CPNG_ERR_NO_MEMORY;
        if (chunks[i].size) memcpy(dst->data, chunks[i].data, chunks[i].size);
        out->chunk_count++;
    }
    return CPNG_OK;
}

int cpng_read(const uint8_t *data, size_t size, uint64_t max_pixels, cpng_image *out, char *msg, size_t msg_capacity) {
    memset(out, 0, sizeof(*out));
    set_message(msg, msg_capacity, "");
    if (size < 8 || png_sig_cmp((png_const_bytep)data, 0, 8) != 0) {
        set_message(msg, msg_capacity, size < 8 && size > 0 && png_sig_cmp((png_const_bytep)data, 0, size) == 0
                    ? "the PNG data ends early (truncated file)" : "not a PNG file (signature missing)");
        return size < 8 && size > 0 && png_sig_cmp((png_const_bytep)data, 0, size) == 0 ? CPNG_ERR_TRUNCATED : CPNG_ERR_NOT_PNG;
    }
    cpng_context ctx;
    memset(&ctx, 0, sizeof(ctx));
    ctx.msg = msg; ctx.msg_capacity = msg_capacity; ctx.data = data; ctx.size = size;

    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &ctx, on_error, on_warning);
    if (png == NULL) { set_message(msg, msg_capacity, "out of memory"); return CPNG_ERR_NO_MEMORY; }
    png_infop info = png_create_info_struct(png);
    if (info == NULL) {
        png_destroy_read_struct(&png, NULL, NULL);
        set_message(msg, msg_capacity, "out of memory");
        return CPNG_ERR_NO_MEMORY;
    }
    if (setjmp(png_jmpbuf(png))) {
        free(ctx.samples);
        free(ctx.rows);
        cpng_image_free(out);
        memset(out, 0, sizeof(*out));
        png_destroy_read_struct(&png, &info, NULL);
        return ctx.code == CPNG_OK ? CPNG_ERR_CORRUPT : ctx.code;
    }
    png_set_read_fn(png, &ctx, read_from_memory);
    /* Our own pixel limit replaces libpng's 1e6 width/height default. */
    png_set_user_limits(png, 0x7fffffffU, 0x7fffffffU);
    png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_NEVER, NULL, 0);
    png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_ALWAYS, (png_const_bytep)cpng_kept_chunk_names,
                                cpng_kept_chunk_count);
    png_read_info(png, info);

    png_uint_32 width = 0, height = 0;
    int bit_depth = 0, color_type = 0, interlace = 0;
    png_get_IHDR(png, info, &width, &height, &bit_depth, &color_type, &interlace, NULL, NULL);
    if ((uint64_t)width * (uint64_t)height > max_pixels) {
        ctx.code = CPNG_ERR_TOO_LARGE;
        char text[160];
        snprintf(text, sizeof text, "image of %u x %u pixels exceeds the limit of %llu pixels", (unsigned)width,
                 (unsigned)height, (unsigned long long)max_pixels);
        png_error(png, text);
    }
    if (bit_depth < 8) png_set_packing(png);
    if (interlace != PNG_INTERLACE_NONE) (void)png_set_interlace_handling(png);
    png_read_update_info(png, info);

    int channels = png_get_channels(png, info);
    size_t rowbytes = png_get_rowbytes(png, info);
    size_t expected_rowbytes = (size_t)width * (size_t)channels * (bit_depth == 16 ? 2 : 1);
    if (rowbytes != expected_rowbytes) { ctx.code = CPNG_ERR_CORRUPT; png_error(png, "unexpected row layout"); }
    if (height != 0 && rowbytes > SIZE_MAX / height) { ctx.code = CPNG_ERR_TOO_LARGE; png_error(png, "image too large"); }
    size_t total = rowbytes * (size_t)height;
    ctx.samples = (uint8_t *)malloc(total ? total : 1);
    ctx.rows = (png_bytep *)malloc(sizeof(png_bytep) * (height ? height : 1));
    if (ctx.samples == NULL || ctx.rows == NULL) { ctx.code = CPNG_ERR_NO_MEMORY; png_error(png, "out of memory"); }
    for (png_uint_32 y = 0; y < height; y++) ctx.rows[y] = ctx.samples + (size_t)y * rowbytes;
    png_read_image(png, ctx.rows);
    png_read_end(png, info);

    out->width = width;
    out->height = height;
    out->color_type = color_type;
    out->bit_depth = bit_depth;
    out->interlaced = interlace != PNG_INTERLACE_NONE;
    out->channels = channels;

    png_colorp palette = NULL;
    int palette_count = 0;
    if (png_get_PLTE(png, info, &palette, &palette_count) & PNG_INFO_PLTE) {
        if (palette_count > 256) palette_count = 256;
        for (int i = 0; i < palette_count; i++) {
            out->palette[3 * i] = palette[i].red;
            out->palette[3 * i + 1] = palette[i].green;
            out->palette[3 * i + 2] = palette[i].blue;
        }
        out->palette_count = palette_count;
    }
    png_bytep trans_alpha = NULL;
    int num_trans = 0;
    png_color_16p trans_color = NULL;
    if (png_get_tRNS(png, info, &trans_alpha, &num_trans, &trans_color) & PNG_INFO_tRNS) {
        if (color_type == PNG_COLOR_TYPE_PALETTE && trans_alpha != NULL) {
            if (num_trans > 256) num_trans = 256;
            memcpy(out->trns, trans_alpha, (size_t)num_trans);
            out->trns_size = num_trans;
        } else if (color_type == PNG_COLOR_TYPE_GRAY && trans_color != NULL) {
            out->trns[0] = (uint8_t)(trans_color->gray >> 8);
            out->trns[1] = (uint8_t)trans_color->gray;
            out->trns_size = 2;
        } else if (color_type == PNG_COLOR_TYPE_RGB && trans_color != NULL) {
            uint16_t v[3] = {trans_color->red, trans_color->green, trans_color->blue};
            for (int c = 0; c < 3; c++) { out->trns[2 * c] = (uint8_t)(v[c] >> 8); out->trns[2 * c + 1] = (uint8_t)v[c]; }
            out->trns_size = 6;
        }
    }
    int status = copy_kept_chunks(png, info, out);
    out->samples = ctx.samples;
    out->samples_size = total;
    ctx.samples = NULL;
    free(ctx.rows);
    ctx.rows = NULL;
    png_destroy_read_struct(&png, &info, NULL);
    if (status != CPNG_OK) {
        cpng_image_free(out);
        memset(out, 0, sizeof(*out));
        set_message(msg, msg_capacity, "out of memory");
    }
    return status;
}

/* ---------- writing ---------- */

int cpng_write(const cpng_image *image, int zlib_level, uint8_t **out, size_t *out_size, char *msg, size_t msg_capacity) {
    *out = NULL;
    *out_size = 0;
    set_message(msg, msg_capacity, "");
    size_t bytes_per_sample = image->bit_depth == 16 ? 2 : 1;
    size_t rowbytes = (size_t)image->width * (size_t)image->channels * bytes_per_sample;
    if (image->width == 0 || image->height == 0 || image->samples == NULL ||
        (image->height != 0 && rowbytes > SIZE_MAX / image->height) ||
        image->samples_size != rowbytes * image->height) {
        set_message(msg, msg_capacity, "invalid image for PNG writing (size mismatch)");
        return CPNG_ERR_INVALID;
    }
    cpng_context ctx;
    memset(&ctx, 0, sizeof(ctx));
    ctx.msg = msg; ctx.msg_capacity = msg_capacity; ctx.code = CPNG_OK;

    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &ctx, on_error, on_warning);
    if (png == NULL) { set_message(msg, msg_capacity, "out of memory"); return CPNG_ERR_NO_MEMORY; }
    png_infop info = png_create_info_struct(png);
    if (info == NULL) {
        png_destroy_write_struct(&png, NULL);
        set_message(msg, msg_capacity, "out of memory");
        return CPNG_ERR_NO_MEMORY;
    }
    if (setjmp(png_jmpbuf(png))) {
        free(ctx.out);
        free(ctx.rows);
        png_destroy_write_struct(&png, &info);
        return ctx.code == CPNG_OK || ctx.code == CPNG_ERR_CORRUPT ? CPNG_ERR_INVALID : ctx.code;
    }
    png_set_write_fn(png, &ctx, write_to_memory, flush_memory);
    png_set_user_limits(png, 0x7fffffffU, 0x7fffffffU);
    png_set_benign_errors(png, 1);
#ifdef PNG_CHECK_FOR_INVALID_INDEX_SUPPORTED
    /* Indices beyond the palette are written as they were read (the pixels are restored exactly). */
    png_set_check_for_invalid_index(png, 0);
#endif
    if (zlib_level >= 0 && zlib_level <= 9) png_set_compression_level(png, zlib_level);
    png_set_IHDR(png, info, image->width, image->height, image->bit_depth, image->color_type,
                 image->interlaced ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    if (image->palette_count > 0) {
        png_color palette[256];
        int count = image->palette_count > 256 ? 256 : image->palette_count;
        for (int i = 0; i < count; i++) {
            palette[i].red = image->palette[3 * i];
            palette[i].green = image->palette[3 * i + 1];
            palette[i].blue = image->palette[3 * i + 2];
        }
        png_set_PLTE(png, info, palette, count);
    }
    if (image->trns_size > 0) {
        png_color_16 color;
        memset(&color, 0, sizeof color);
        if (image->color_type == PNG_COLOR_TYPE_PALETTE) {
            png_set_tRNS(png, info, image->trns, image->trns_size, NULL);
        } else if (image->color_type == PNG_COLOR_TYPE_GRAY && image->trns_size == 2) {
            color.gray = (png_uint_16)((image->trns[0] << 8) | image->trns[1]);
            png_set_tRNS(png, info, NULL, 0, &color);
        } else if (image->color_type == PNG_COLOR_TYPE_RGB && image->trns_size == 6) {
            color.red = (png_uint_16)((image->trns[0] << 8) | image->trns[1]);
            color.green = (png_uint_16)((image->trns[2] << 8) | image->trns[3]);
            color.blue = (png_uint_16)((image->trns[4] << 8) | image->trns[5]);
            png_set_tRNS(png, info, NULL, 0, &color);
        } else {
            ctx.code = CPNG_ERR_INVALID;
            png_error(png, "tRNS does not match the colour type");
        }
    }
    if (image->chunk_count > 0) {
        png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_ALWAYS, NULL, 0);
        png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_ALWAYS, (png_const_bytep)cpng_kept_chunk_names,
                                    cpng_kept_chunk_count);
        for (int i = 0; i < image->chunk_count; i++) {
            png_unknown_chunk chunk;
            memset(&chunk, 0, sizeof chunk);
            memcpy(chunk.name, image->chunks[i].name, 4);
            chunk.name[4] = 0;
            chunk.data = image->chunks[i].data;
            chunk.size = image->chunks[i].size;
            chunk.location = image->chunks[i].location;
            png_set_unknown_chunks(png, info, &chunk, 1);
        }
    }
    png_write_info(png, info);
    if (image->bit_depth < 8) png_set_packing(png);
    if (image->interlaced) (void)png_set_interlace_handling(png);
    ctx.rows = (png_bytep *)malloc(sizeof(png_bytep) * image->height);
    if (ctx.rows == NULL) { ctx.code = CPNG_ERR_NO_MEMORY; png_error(png, "out of memory"); }
    for (uint32_t y = 0; y < image->height; y++) ctx.rows[y] = (png_bytep)(image->samples + (size_t)y * rowbytes);
    png_write_image(png, ctx.rows);
    png_write_end(png, info);
    free(ctx.rows);
    png_destroy_write_struct(&png, &info);
    *out = ctx.out;
    *out_size = ctx.out_size;
    return CPNG_OK;
}

/* ---------- zlib ---------- */

int cpng_deflate(const uint8_t *data, size_t size, uint8_t **out, size_t *out_size) {
    *out = NULL;
    *out_size = 0;
    uLong bound = compressBound((uLong)size);
    if ((size_t)(uLong)size != size) return CPNG_ERR_ZLIB;
    uint8_t *buffer = (uint8_t *)malloc(bound ? bound : 1);
    if (buffer == NULL) return CPNG_ERR_NO_MEMORY;
    uLongf length = bound;
    static const uint8_t empty = 0;
    if (compress2(buffer, &length, size ? data : &empty, (uLong)size, 9) != Z_OK) {
        free(buffer);
        return CPNG_ERR_ZLIB;
    }
    *out = buffer;
    *out_size = length;
    return CPNG_OK;
}

int cpng_inflate(const uint8_t *data, size_t size, uint8_t *out, size_t expected_size) {
    uint8_t dummy = 0;
    uLongf dest_length = (uLongf)expected_size;
    uLong source_length = (uLong)size;
    if ((size_t)dest_length != expected_size || (size_t)source_length != size) return CPNG_ERR_ZLIB;
    int status = uncompress2(expected_size ? out : &dummy, &dest_length, size ? data : &dummy, &source_length);
    if (status != Z_OK || dest_length != expected_size || source_length != size) return CPNG_ERR_ZLIB;
    return CPNG_OK;
}

uint32_t cpng_crc32(uint32_t crc, const uint8_t *data, size_t size) {
    uLong value = crc;
    while (size > 0) {
        uInt chunk = size > 0x40000000u ? 0x40000000u : (uInt)size;
        value = crc32(value, data, chunk);
        data += chunk;
        size -= chunk;
    }
    return (uint32_t)value;
}
