/* outfile.c — see outfile.h. */
#define _GNU_SOURCE
#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"

/* Temporary names of the outputs open now, for bpel_out_unlink_pending. */
#define NPENDING 64
static const char *volatile pending[NPENDING];

static void pending_add(const char *tmp)
{
    for (int k = 0; k < NPENDING; k++) {
        const char *none = NULL;
        if (__atomic_compare_exchange_n(&pending[k], &none, tmp, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) return;
    }
}

static void pending_remove(const char *tmp)
{
    for (int k = 0; k < NPENDING; k++) {
        const char *want = tmp;
        if (__atomic_compare_exchange_n(&pending[k], &want, NULL, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) return;
    }
}

void bpel_out_unlink_pending(void)
{
    for (int k = 0; k < NPENDING; k++) {
        const char *t = __atomic_load_n(&pending[k], __ATOMIC_SEQ_CST);
        if (t) unlink(t);
    }
}

void bpel_out_tmpname(const char *path, char *tmp, size_t n) { snprintf(tmp, n, "%s.tmp.%ld", path, (long)getpid()); }

int bpel_out_open(bpel_out *o, const char *path)
{
    o->fp = NULL;
    if (snprintf(o->path, sizeof o->path, "%s", path) >= (int)sizeof o->path)
        return bpel_fail(BPEL_EINVAL, "%s: path too long", path);
    bpel_out_tmpname(path, o->tmp, sizeof o->tmp);
    o->fp = fopen(o->tmp, "w");
    if (!o->fp) return bpel_fail(BPEL_EIO, "%s: cannot write: %s", path, strerror(errno));
    pending_add(o->tmp);
    return BPEL_OK;
}

/* fsync the folder holding PATH, so that a rename into it survives a crash. */
static void sync_dir(const char *path)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    int fd = open(dirname(dir), O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

int bpel_out_close(bpel_out *o)
{
    if (!o->fp) return bpel_fail(BPEL_EIO, "%s: not open", o->path);
    int e = 0;
    if (ferror(o->fp)) e = errno ? errno : EIO;
    if (fflush(o->fp) != 0 && !e) e = errno;
    if (!e && fsync(fileno(o->fp)) != 0 && errno != EINVAL && errno != EROFS) e = errno;
    if (fclose(o->fp) != 0 && !e) e = errno;
    o->fp = NULL;
    if (!e && rename(o->tmp, o->path) != 0) e = errno;
    if (e) {
        unlink(o->tmp);
        pending_remove(o->tmp);
        return bpel_fail(BPEL_EIO, "%s: write failed: %s (nothing written under this name)", o->path, strerror(e));
    }
    pending_remove(o->tmp);
    sync_dir(o->path);
    return BPEL_OK;
}

void bpel_out_discard(bpel_out *o)
{
    if (o->fp) fclose(o->fp);
    o->fp = NULL;
    unlink(o->tmp);
    pending_remove(o->tmp);
}

int bpel_out_finish(bpel_out *o, int rc)
{
    if (rc && rc != BPEL_EIO) {
        bpel_out_discard(o);
        return rc;
    }
    int crc = bpel_out_close(o);
    if (!crc && rc) { /* the writer saw a failure the stream did not keep */
        unlink(o->path);
        return bpel_fail(BPEL_EIO, "%s: write failed", o->path);
    }
    return crc;
}

int bpel_out_text(const char *path, const char *text)
{
    bpel_out o;
    int rc = bpel_out_open(&o, path);
    if (rc) return rc;
    fputs(text, o.fp);
    return bpel_out_close(&o);
}

int bpel_out_json(const char *path, const cJSON *json)
{
    char *txt = cJSON_Print(json);
    if (!txt) return bpel_fail(BPEL_ENOMEM, "%s: cannot format JSON", path);
    bpel_out o;
    int rc = bpel_out_open(&o, path);
    if (!rc) {
        fputs(txt, o.fp);
        fputc('\n', o.fp);
        rc = bpel_out_close(&o);
    }
    cJSON_free(txt);
    return rc;
}

int bpel_out_commit(const char *tmp, const char *path, const void *tail, size_t tail_len)
{
    int e = 0;
    const char *why = NULL;
    int fd = open(tmp, O_RDONLY);
    if (fd < 0) {
        e = errno;
    } else {
        struct stat st;
        if (fstat(fd, &st) != 0) e = errno;
        else if (st.st_size == 0 || (size_t)st.st_size < tail_len) why = "incomplete (empty or short)";
        else if (tail_len) {
            char buf[256];
            size_t n = tail_len < sizeof buf ? tail_len : sizeof buf;
            if (pread(fd, buf, n, st.st_size - (off_t)n) != (ssize_t)n) e = errno ? errno : EIO;
            else if (memcmp(buf, (const char *)tail + (tail_len - n), n)) why = "incomplete (no proper end)";
        }
        if (!e && !why && fsync(fd) != 0 && errno != EINVAL && errno != EROFS) e = errno;
        close(fd);
    }
    if (!e && !why && rename(tmp, path) != 0) e = errno;
    if (e || why) {
        unlink(tmp);
        return bpel_fail(BPEL_EIO, "%s: write failed: %s (nothing written under this name)", path,
                         why ? why : strerror(e));
    }
    sync_dir(path);
    return BPEL_OK;
}

int bpel_out_check(const char *path)
{
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) return bpel_fail(BPEL_EIO, "%s: is a folder, not a file", path);
    char tmp[4160];
    bpel_out_tmpname(path, tmp, sizeof tmp);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return bpel_fail(BPEL_EIO, "%s: cannot write: %s", path, strerror(errno));
    close(fd);
    unlink(tmp);
    return BPEL_OK;
}

int bpel_mkdir_p(const char *dir)
{
    char buf[4096];
    if (snprintf(buf, sizeof buf, "%s", dir) >= (int)sizeof buf) return bpel_fail(BPEL_EINVAL, "%s: path too long", dir);
    for (char *p = buf + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            if (mkdir(buf, 0777) && errno != EEXIST) return bpel_fail(BPEL_EIO, "%s: cannot create: %s", buf, strerror(errno));
            *p = '/';
        }
    if (mkdir(buf, 0777) && errno != EEXIST) return bpel_fail(BPEL_EIO, "%s: cannot create: %s", buf, strerror(errno));
    struct stat st;
    if (stat(buf, &st) != 0 || !S_ISDIR(st.st_mode)) return bpel_fail(BPEL_EIO, "%s: not a folder", buf);
    return BPEL_OK;
}

int bpel_out_check_dir(const char *dir)
{
    int rc = bpel_mkdir_p(dir);
    if (rc) return rc;
    char probe[4200];
    snprintf(probe, sizeof probe, "%s/.bpel-write-probe", dir);
    return bpel_out_check(probe);
}

FILE *bpel_out_fopen(bpel_out *o, const char *path)
{
    return bpel_out_open(o, path) ? NULL : o->fp;
}
