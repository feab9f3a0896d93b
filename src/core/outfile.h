/* outfile.h — output files that are either whole or absent.
 *
 * Every final output of bpel is written under a temporary name beside it
 * (PATH.tmp.<pid>), then checked — no stream error, flushed, fsync'ed,
 * closed — and only then renamed over PATH. A full disk, a quota or a file
 * size limit therefore gives an error naming PATH and removes the temporary
 * file; whatever PATH held before (nothing, or a complete earlier result)
 * is left as it was. A process killed while writing leaves at most a
 * PATH.tmp.<pid> behind, never a truncated PATH. */
#ifndef BPEL_OUTFILE_H
#define BPEL_OUTFILE_H

#include <stddef.h>
#include <stdio.h>

#include <cjson/cJSON.h>

typedef struct bpel_out {
    FILE *fp;          /* write here between open and close */
    char path[4096];   /* the final name */
    char tmp[4160];    /* the temporary name */
} bpel_out;

/* Open PATH.tmp.<pid> for writing. */
int bpel_out_open(bpel_out *o, const char *path);
/* The same as a stream: PATH.tmp.<pid> opened into `o`, or NULL (error set). */
FILE *bpel_out_fopen(bpel_out *o, const char *path);
/* Check, fsync and close the stream and rename it to the final name; on any
 * failure the temporary file is removed and BPEL_EIO names the final file.
 * The stream is closed in every case. */
int bpel_out_close(bpel_out *o);
/* Close and remove the temporary file (an error path: nothing is renamed). */
void bpel_out_discard(bpel_out *o);
/* End an output whose contents a writer returned `rc` for: BPEL_OK, or
 * BPEL_EIO (a failed write, reported naming the final file), close it as
 * bpel_out_close does; any other error discards it and is returned. */
int bpel_out_finish(bpel_out *o, int rc);

/* Whole files in one call: a string; a JSON document (cJSON_Print and a
 * newline). */
int bpel_out_text(const char *path, const char *text);
int bpel_out_json(const char *path, const cJSON *json);

/* A file another library wrote under bpel_out_tmpname(path): check it ends
 * with `tail` (tail_len bytes; 0 skips the check: it must not be empty), fsync
 * it and rename it into place, or remove it and fail naming PATH. */
void bpel_out_tmpname(const char *path, char *tmp, size_t n);
int bpel_out_commit(const char *tmp, const char *path, const void *tail, size_t tail_len);

/* Before long work: can PATH be written (its folder exists and takes a new
 * file; PATH is not a folder)? A probe file is created and removed. */
int bpel_out_check(const char *path);
/* mkdir -p DIR, then the same probe inside it. */
int bpel_out_check_dir(const char *dir);
/* mkdir -p. */
int bpel_mkdir_p(const char *dir);

/* Remove the temporary files of outputs open right now (async-signal-safe:
 * for a handler that then ends the process). */
void bpel_out_unlink_pending(void);

#endif
