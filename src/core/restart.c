/* restart.c — binary checkpoints (see restart.h). Native byte order: a
 * restart file continues a run on the same kind of machine; it is not an
 * exchange format (data files are). */
#include "restart.h"

#include <errno.h>
#include <fcntl.h>
#include <gsl/gsl_rng.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "outfile.h"

#define RST_MAGIC "BPELRST1"
#define RST_VERSION 1u

static volatile sig_atomic_t caught = 0;

static void on_signal(int sig)
{
    if (caught) { /* a second signal: stop now, leaving no partial output behind */
        bpel_out_unlink_pending();
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
    caught = sig;
}

void bpel_restart_on_signals(void (*handler)(int))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

void bpel_restart_catch_signals(void) { bpel_restart_on_signals(on_signal); }

int bpel_restart_signalled(void) { return (int)caught; }

/* ---------------------------------------------------------------- writer */

typedef struct wbuf {
    FILE *fp;
    uint64_t hash;
    int err;
} wbuf;

static void put(wbuf *w, const void *p, size_t n)
{
    const unsigned char *c = p;
    for (size_t i = 0; i < n; i++) {
        w->hash ^= c[i];
        w->hash *= 1099511628211ull;
    }
    if (n && fwrite(p, 1, n, w->fp) != n) w->err = 1;
}

static void put_u64(wbuf *w, uint64_t v) { put(w, &v, sizeof v); }

int bpel_restart_write(const char *path, const bpel_system *s, const rst_info *r)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *fp = fopen(tmp, "wb");
    if (!fp) return bpel_fail(BPEL_EIO, "%s: cannot write restart: %s", tmp, strerror(errno));
    wbuf w = {fp, 1469598103934665603ull, 0};
    put(&w, RST_MAGIC, 8);
    put_u64(&w, RST_VERSION);
    put_u64(&w, sizeof(md_params));
    put_u64(&w, sizeof(md_state));
    put(&w, r->command, sizeof r->command);
    put_u64(&w, (uint64_t)(int64_t)r->stage);
    put_u64(&w, (uint64_t)r->sync_every);
    put(&w, &r->params, sizeof r->params);
    put(&w, &r->md, sizeof r->md);
    put(&w, r->rng_name, sizeof r->rng_name);
    put_u64(&w, r->rng_size);
    put(&w, r->rng, r->rng_size);
    put_u64(&w, r->extra_size);
    put(&w, r->extra, r->extra_size);
    /* system */
    put_u64(&w, s->n);
    put_u64(&w, (uint64_t)s->ntypes);
    put(&w, s->mass, sizeof s->mass);
    put(&w, s->element, sizeof s->element);
    put(&w, &s->box, sizeof s->box);
    put(&w, s->id, s->n * sizeof *s->id);
    put(&w, s->type, s->n * sizeof *s->type);
    put(&w, s->x, 3 * s->n * sizeof *s->x);
    put(&w, s->image, 3 * s->n * sizeof *s->image);
    put_u64(&w, s->v ? 1 : 0);
    if (s->v) put(&w, s->v, 3 * s->n * sizeof *s->v);
    uint64_t h = w.hash;
    if (fwrite(&h, sizeof h, 1, fp) != 1) w.err = 1;
    if (fflush(fp) != 0) w.err = 1;
    if (!w.err && fsync(fileno(fp)) != 0) w.err = 1;
    if (fclose(fp) != 0) w.err = 1;
    if (w.err) {
        int e = errno;
        unlink(tmp);
        return bpel_fail(BPEL_EIO, "%s: writing restart failed: %s", tmp, strerror(e));
    }
    if (rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return bpel_fail(BPEL_EIO, "%s: cannot rename restart into place: %s", path, strerror(e));
    }
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    int dfd = open(dirname(dir), O_RDONLY);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return BPEL_OK;
}

/* ---------------------------------------------------------------- reader */

typedef struct rbuf {
    const unsigned char *p;
    size_t n, pos;
    int bad;
} rbuf;

static void get(rbuf *b, void *out, size_t n)
{
    if (b->bad || n > b->n - b->pos) {
        b->bad = 1;
        if (out && n) memset(out, 0, n);
        return;
    }
    memcpy(out, b->p + b->pos, n);
    b->pos += n;
}

static uint64_t get_u64(rbuf *b)
{
    uint64_t v = 0;
    get(b, &v, sizeof v);
    return v;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* What a checksum cannot tell: that the contents make a system and a state
 * a run can continue from (a file written by another program, or by a
 * broken one, passes the checksum too). */
static int validate(const char *path, const bpel_system *s, const rst_info *r)
{
#define BAD(...) do { char m_[512]; snprintf(m_, sizeof m_, __VA_ARGS__); \
        return bpel_fail(BPEL_EPARSE, "%s: restart file holds %s", path, m_); } while (0)
    if (s->n < 1) BAD("no atoms");
    for (int t = 0; t <= BPEL_MAX_TYPES; t++)
        if (!memchr(s->element[t], 0, sizeof s->element[t])) BAD("an unterminated element name of type %d", t);
    for (int t = 1; t <= s->ntypes; t++)
        if (!(s->mass[t] > 0) || !isfinite(s->mass[t])) BAD("mass %g for atom type %d (must be positive and finite)", s->mass[t], t);
    const bpel_box *b = &s->box;
    for (int k = 0; k < 3; k++)
        if (!isfinite(b->lo[k]) || !isfinite(b->len[k]) || !(b->len[k] > 0))
            BAD("a box edge %c from %g of length %g (must be finite and positive)", "xyz"[k], b->lo[k], b->len[k]);
    if (!isfinite(b->xy) || !isfinite(b->xz) || !isfinite(b->yz)) BAD("tilt factors %g %g %g", b->xy, b->xz, b->yz);
    if (!isfinite(bpel_box_volume(b)) || !(bpel_box_volume(b) > 0)) BAD("a box of volume %g A^3", bpel_box_volume(b));
    for (size_t i = 0; i < s->n; i++) {
        if (s->type[i] < 1 || s->type[i] > s->ntypes)
            BAD("atom id %lld of type %d, outside 1..%d", (long long)s->id[i], s->type[i], s->ntypes);
        if (s->id[i] < 1) BAD("atom id %lld (ids are positive)", (long long)s->id[i]);
        for (int k = 0; k < 3; k++) {
            if (!isfinite(s->x[3 * i + k])) BAD("a non-finite position of atom id %lld", (long long)s->id[i]);
            if (s->v && !isfinite(s->v[3 * i + k])) BAD("a non-finite velocity of atom id %lld", (long long)s->id[i]);
        }
        double f[3];
        bpel_box_to_frac(b, &s->x[3 * i], f);
        for (int k = 0; k < 3; k++)
            if (!(fabs(f[k]) <= 1048576.0)) BAD("atom id %lld more than 2^20 box lengths outside the box", (long long)s->id[i]);
    }
    int64_t *ids = bpel_malloc(s->n * sizeof *ids);
    if (!ids) return BPEL_ENOMEM;
    memcpy(ids, s->id, s->n * sizeof *ids);
    qsort(ids, s->n, sizeof *ids, cmp_i64);
    for (size_t i = 1; i < s->n; i++)
        if (ids[i] == ids[i - 1]) {
            long long dup = (long long)ids[i];
            free(ids);
            BAD("atom id %lld twice", dup);
        }
    free(ids);
    const md_params *p = &r->params;
    if (p->ensemble != MD_NVE && p->ensemble != MD_NVT && p->ensemble != MD_NPT) BAD("an unknown ensemble %d", (int)p->ensemble);
    if (bpel_md_check_params(p)) BAD("invalid MD parameters (%s)", bpel_errmsg());
    const md_state *m = &r->md;
    if (m->step < 0 || m->run_begin < 0 || m->run_end < 0) BAD("negative step numbers");
    const double *d = (const double *)((const char *)m + offsetof(md_state, t_target));
    for (size_t k = 0; k < (sizeof *m - offsetof(md_state, t_target)) / sizeof(double); k++)
        if (!isfinite(d[k])) BAD("a non-finite integrator variable");
    if (r->sync_every < 0 || r->sync_every > 1000000000L) BAD("a neighbour rebuild interval of %ld steps", r->sync_every);
#undef BAD
    return BPEL_OK;
}

void bpel_restart_free(rst_info *r)
{
    free(r->rng);
    free(r->extra);
    r->rng = r->extra = NULL;
    r->rng_size = r->extra_size = 0;
}

int bpel_restart_read(const char *path, bpel_system **out, rst_info *r)
{
    memset(r, 0, sizeof *r);
    *out = NULL;
    FILE *fp = fopen(path, "rb");
    if (!fp) return bpel_fail(BPEL_EIO, "%s: cannot open restart: %s", path, strerror(errno));
    unsigned char *buf = NULL;
    size_t cap = 0, len = 0, first = 1 << 16;
    struct stat st;
    if (fstat(fileno(fp), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) first = (size_t)st.st_size + 1;
    for (;;) {
        if (len == cap) {
            cap = cap ? 2 * cap : first;
            unsigned char *nb = bpel_realloc(buf, cap);
            if (!nb) {
                free(buf);
                fclose(fp);
                return BPEL_ENOMEM;
            }
            buf = nb;
        }
        size_t k = fread(buf + len, 1, cap - len, fp);
        len += k;
        if (k == 0) break;
    }
    fclose(fp);
    int rc = BPEL_OK;
    bpel_system *s = NULL;
    if (len < 8 + 8 || memcmp(buf, RST_MAGIC, 8) != 0) {
        rc = bpel_fail(BPEL_EPARSE, "%s: not a bpel restart file", path);
        goto done;
    }
    uint64_t h = 1469598103934665603ull, stored;
    for (size_t i = 0; i < len - 8; i++) {
        h ^= buf[i];
        h *= 1099511628211ull;
    }
    memcpy(&stored, buf + len - 8, 8);
    if (h != stored) {
        rc = bpel_fail(BPEL_EPARSE, "%s: restart file is truncated or corrupt (checksum mismatch)", path);
        goto done;
    }
    rbuf b = {buf, len - 8, 8, 0};
    uint64_t ver = get_u64(&b), sp = get_u64(&b), ss = get_u64(&b);
    if (ver != RST_VERSION || sp != sizeof(md_params) || ss != sizeof(md_state)) {
        rc = bpel_fail(BPEL_EPARSE, "%s: restart written by an incompatible bpel build", path);
        goto done;
    }
    get(&b, r->command, sizeof r->command);
    r->command[sizeof r->command - 1] = '\0';
    r->stage = (int)(int64_t)get_u64(&b);
    r->sync_every = (long)get_u64(&b);
    get(&b, &r->params, sizeof r->params);
    get(&b, &r->md, sizeof r->md);
    get(&b, r->rng_name, sizeof r->rng_name);
    r->rng_name[sizeof r->rng_name - 1] = '\0';
    r->rng_size = get_u64(&b);
    if (r->rng_size > b.n) b.bad = 1;
    if (!b.bad && r->rng_size) {
        r->rng = bpel_malloc(r->rng_size);
        if (!r->rng) { rc = BPEL_ENOMEM; goto done; }
        get(&b, r->rng, r->rng_size);
    }
    r->extra_size = get_u64(&b);
    if (r->extra_size > b.n) b.bad = 1;
    if (!b.bad && r->extra_size) {
        r->extra = bpel_malloc(r->extra_size);
        if (!r->extra) { rc = BPEL_ENOMEM; goto done; }
        get(&b, r->extra, r->extra_size);
    }
    uint64_t n = get_u64(&b), nt = get_u64(&b);
    if (b.bad || nt < 1 || nt > BPEL_MAX_TYPES || n > b.n) {
        rc = bpel_fail(BPEL_EPARSE, "%s: malformed restart header", path);
        goto done;
    }
    s = bpel_system_create(n, (int)nt);
    if (!s) { rc = BPEL_ENOMEM; goto done; }
    get(&b, s->mass, sizeof s->mass);
    get(&b, s->element, sizeof s->element);
    get(&b, &s->box, sizeof s->box);
    get(&b, s->id, n * sizeof *s->id);
    get(&b, s->type, n * sizeof *s->type);
    get(&b, s->x, 3 * n * sizeof *s->x);
    get(&b, s->image, 3 * n * sizeof *s->image);
    if (get_u64(&b)) {
        if ((rc = bpel_system_ensure_velocities(s))) goto done;
        get(&b, s->v, 3 * n * sizeof *s->v);
    }
    if (b.bad || b.pos != b.n) {
        rc = bpel_fail(BPEL_EPARSE, "%s: malformed restart file", path);
        goto done;
    }
    if ((rc = validate(path, s, r))) goto done;
    snprintf(s->source, sizeof s->source, "%s", path);
done:
    free(buf);
    if (rc) {
        bpel_system_destroy(s);
        bpel_restart_free(r);
        return rc;
    }
    *out = s;
    return BPEL_OK;
}

int bpel_restart_store_rng(rst_info *r, const gsl_rng *g)
{
    free(r->rng);
    r->rng_size = gsl_rng_size(g);
    r->rng = bpel_malloc(r->rng_size);
    if (!r->rng) return BPEL_ENOMEM;
    memcpy(r->rng, gsl_rng_state(g), r->rng_size);
    snprintf(r->rng_name, sizeof r->rng_name, "%s", gsl_rng_name(g));
    return BPEL_OK;
}

int bpel_restart_load_rng(const rst_info *r, gsl_rng *g)
{
    if (!r->rng || r->rng_size != gsl_rng_size(g) || strcmp(r->rng_name, gsl_rng_name(g)) != 0)
        return bpel_fail(BPEL_EPARSE, "restart holds no state for a %s generator", gsl_rng_name(g));
    memcpy(gsl_rng_state(g), r->rng, r->rng_size);
    return BPEL_OK;
}

/* ------------------------------------------------------ settings sections */

#define SET_MAGIC "BPELSET1"
#define SET_HEAD 16 /* magic, version, count */

static void set_put(rst_settings *w, const void *p, size_t n)
{
    if (w->err) return;
    if (w->size + n > w->cap) {
        size_t cap = w->cap ? 2 * w->cap : 256;
        while (cap < w->size + n) cap *= 2;
        unsigned char *nb = realloc(w->buf, cap);
        if (!nb) {
            w->err = BPEL_ENOMEM;
            return;
        }
        w->buf = nb;
        w->cap = cap;
    }
    memcpy(w->buf + w->size, p, n);
    w->size += n;
}

void bpel_rst_settings_begin(rst_settings *w, unsigned version)
{
    memset(w, 0, sizeof *w);
    uint32_t v = version, count = 0;
    set_put(w, SET_MAGIC, 8);
    set_put(w, &v, 4);
    set_put(w, &count, 4);
}

static void set_field(rst_settings *w, char type, const char *name)
{
    size_t len = strlen(name);
    if (len < 1 || len > RST_NAME_MAX) {
        if (!w->err) w->err = BPEL_EINVAL;
        return;
    }
    uint8_t t = (uint8_t)type, l = (uint8_t)len;
    set_put(w, &t, 1);
    set_put(w, &l, 1);
    set_put(w, name, len);
    w->count++;
}

void bpel_rst_settings_long(rst_settings *w, const char *name, long v)
{
    int64_t x = v;
    set_field(w, 'i', name);
    set_put(w, &x, 8);
}

void bpel_rst_settings_double(rst_settings *w, const char *name, double v)
{
    set_field(w, 'd', name);
    set_put(w, &v, 8);
}

void bpel_rst_settings_string(rst_settings *w, const char *name, const char *v)
{
    size_t len = strlen(v);
    if (len > UINT32_MAX) {
        if (!w->err) w->err = BPEL_EINVAL;
        return;
    }
    uint32_t l = (uint32_t)len;
    set_field(w, 's', name);
    set_put(w, &l, 4);
    set_put(w, v, len);
}

int bpel_rst_settings_finish(rst_settings *w, rst_info *r)
{
    int rc = w->err;
    if (rc == BPEL_EINVAL) bpel_fail(rc, "settings section: a field name is empty or longer than %d bytes", RST_NAME_MAX);
    else if (rc) bpel_fail(rc, "out of memory for a settings section");
    if (rc) {
        free(w->buf);
        memset(w, 0, sizeof *w);
        return rc;
    }
    uint32_t count = w->count;
    memcpy(w->buf + 12, &count, 4);
    free(r->extra);
    r->extra = w->buf;
    r->extra_size = w->size;
    memset(w, 0, sizeof *w);
    return BPEL_OK;
}

int bpel_rst_settings_raw(const rst_info *r)
{
    if (!r->extra || r->extra_size == 0) return 0;
    return r->extra_size < 8 || memcmp(r->extra, SET_MAGIC, 8) != 0;
}

/* The field at `pos` (size `n` bytes of fields): its type, name, value and
 * the position after it; 0 when it runs past the end or is malformed. */
static int field_at(const unsigned char *p, size_t n, size_t pos, char *type, const unsigned char **name, size_t *name_len,
                    const unsigned char **val, size_t *val_len, size_t *next)
{
    if (n - pos < 2) return 0;
    *type = (char)p[pos];
    size_t l = p[pos + 1];
    pos += 2;
    if (l < 1 || l > RST_NAME_MAX || n - pos < l) return 0;
    *name = p + pos;
    *name_len = l;
    if (memchr(p + pos, 0, l)) return 0;
    pos += l;
    if (*type == 'i' || *type == 'd') {
        if (n - pos < 8) return 0;
        *val = p + pos;
        *val_len = 8;
        pos += 8;
    } else if (*type == 's') {
        uint32_t sl;
        if (n - pos < 4) return 0;
        memcpy(&sl, p + pos, 4);
        pos += 4;
        if (n - pos < sl || memchr(p + pos, 0, sl)) return 0;
        *val = p + pos;
        *val_len = sl;
        pos += sl;
    } else {
        return 0;
    }
    *next = pos;
    return 1;
}

int bpel_rst_fields_open(const rst_info *r, const char *path, unsigned max_version, rst_fields *f)
{
    memset(f, 0, sizeof *f);
    f->path = path;
    if (!r->extra || r->extra_size == 0) return bpel_fail(BPEL_EPARSE, "%s: restart file holds no settings", path);
    if (bpel_rst_settings_raw(r))
        return bpel_fail(BPEL_EPARSE,
                         "%s: restart file holds its settings in the raw layout of an older bpel, which this one "
                         "does not read (%zu bytes without a settings header)", path, r->extra_size);
    if (r->extra_size < SET_HEAD)
        return bpel_fail(BPEL_EPARSE, "%s: restart file's settings section is truncated (%zu bytes)", path, r->extra_size);
    uint32_t version, count;
    memcpy(&version, r->extra + 8, 4);
    memcpy(&count, r->extra + 12, 4);
    if (version < 1 || version > max_version)
        return bpel_fail(BPEL_EPARSE,
                         "%s: restart file's settings are of format version %u; this bpel reads versions 1 to %u "
                         "(written by a newer bpel?)", path, (unsigned)version, max_version);
    const unsigned char *p = r->extra + SET_HEAD;
    size_t n = r->extra_size - SET_HEAD, pos = 0;
    for (uint32_t k = 0; k < count; k++) {
        char type;
        const unsigned char *name, *val;
        size_t nl, vl, next;
        if (!field_at(p, n, pos, &type, &name, &nl, &val, &vl, &next))
            return bpel_fail(BPEL_EPARSE, "%s: restart file's settings section is broken at field %u of %u (byte %zu)",
                             path, (unsigned)k + 1, (unsigned)count, SET_HEAD + pos);
        /* each name once */
        for (size_t q = 0; q < pos;) {
            char t2;
            const unsigned char *n2, *v2;
            size_t nl2, vl2, next2;
            if (!field_at(p, n, q, &t2, &n2, &nl2, &v2, &vl2, &next2)) break;
            if (nl2 == nl && !memcmp(n2, name, nl))
                return bpel_fail(BPEL_EPARSE, "%s: restart file's settings hold '%.*s' twice", path, (int)nl,
                                 (const char *)name);
            q = next2;
        }
        pos = next;
    }
    if (pos != n)
        return bpel_fail(BPEL_EPARSE, "%s: restart file's settings section has %zu stray bytes after its %u fields", path,
                         n - pos, (unsigned)count);
    f->p = p;
    f->size = n;
    f->version = version;
    f->count = count;
    return BPEL_OK;
}

static int find_field(const rst_fields *f, const char *name, char type, const unsigned char **val, size_t *val_len)
{
    size_t want = strlen(name);
    for (size_t pos = 0; pos < f->size;) {
        char t;
        const unsigned char *nm;
        size_t nl, next;
        if (!field_at(f->p, f->size, pos, &t, &nm, &nl, val, val_len, &next)) break;
        if (nl == want && !memcmp(nm, name, nl)) {
            if (t != type)
                return bpel_fail(BPEL_EPARSE, "%s: restart file's setting '%s' is of type '%c', not '%c'", f->path, name, t,
                                 type);
            return BPEL_OK;
        }
        pos = next;
    }
    return bpel_fail(BPEL_EPARSE, "%s: restart file's settings (version %u) lack '%s'", f->path, f->version, name);
}

int bpel_rst_fields_long(const rst_fields *f, const char *name, long *v)
{
    const unsigned char *val;
    size_t len;
    int rc = find_field(f, name, 'i', &val, &len);
    if (rc) return rc;
    int64_t x;
    memcpy(&x, val, 8);
#if LONG_MAX < INT64_MAX
    if (x < LONG_MIN || x > LONG_MAX) return bpel_fail(BPEL_EPARSE, "%s: restart file's setting '%s' is out of range", f->path, name);
#endif
    *v = (long)x;
    return BPEL_OK;
}

int bpel_rst_fields_double(const rst_fields *f, const char *name, double *v)
{
    const unsigned char *val;
    size_t len;
    int rc = find_field(f, name, 'd', &val, &len);
    if (rc) return rc;
    memcpy(v, val, 8);
    return BPEL_OK;
}

int bpel_rst_fields_string(const rst_fields *f, const char *name, char *out, size_t n)
{
    const unsigned char *val;
    size_t len;
    int rc = find_field(f, name, 's', &val, &len);
    if (rc) return rc;
    if (len + 1 > n)
        return bpel_fail(BPEL_EPARSE, "%s: restart file's setting '%s' is %zu bytes long, more than %zu", f->path, name, len,
                         n - 1);
    memcpy(out, val, len);
    out[len] = '\0';
    return BPEL_OK;
}
