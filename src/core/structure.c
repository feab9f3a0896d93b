/* structure.c — atoms, boxes and their files (see structure.h).
 *
 * The data-file reader follows LAMMPS read_data for the atomic style: a
 * comment line, header keywords, then sections. Every error names the file
 * and the line at fault. Atoms outside the box are wrapped in, with their
 * image flags updated, as LAMMPS does. */
#include "structure.h"
#include "error.h"
#include "outfile.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Ids are read as doubles: from 2^53 on they are no longer exact. */
#define MAX_ID 9007199254740992.0
/* Atoms may lie this many box lengths outside the box: wrapping one from
 * further away would cost its position digits (and LAMMPS keeps image
 * flags within ±2^20 too). */
#define MAX_WRAP 1048576.0

/* ---------------------------------------------------------------- system */

bpel_system *bpel_system_create(size_t n, int ntypes)
{
    if (ntypes < 1 || ntypes > BPEL_MAX_TYPES) {
        bpel_fail(BPEL_EINVAL, "number of atom types %d outside 1..%d", ntypes, BPEL_MAX_TYPES);
        return NULL;
    }
    bpel_system *s = bpel_calloc(1, sizeof *s);
    if (!s) return NULL;
    s->n = n;
    s->ntypes = ntypes;
    s->id = bpel_calloc(n, sizeof *s->id);
    s->type = bpel_calloc(n, sizeof *s->type);
    s->x = bpel_calloc(3 * n, sizeof *s->x);
    s->image = bpel_calloc(3 * n, sizeof *s->image);
    if (!s->id || !s->type || !s->x || !s->image) {
        bpel_system_destroy(s);
        return NULL;
    }
    return s;
}

void bpel_system_destroy(bpel_system *s)
{
    if (!s) return;
    free(s->id);
    free(s->type);
    free(s->x);
    free(s->v);
    free(s->image);
    free(s->line);
    free(s);
}

bpel_system *bpel_system_copy(const bpel_system *s)
{
    bpel_system *c = bpel_system_create(s->n, s->ntypes);
    if (!c) return NULL;
    size_t n = s->n;
    memcpy(c->id, s->id, n * sizeof *s->id);
    memcpy(c->type, s->type, n * sizeof *s->type);
    memcpy(c->x, s->x, 3 * n * sizeof *s->x);
    memcpy(c->image, s->image, 3 * n * sizeof *s->image);
    if (s->v) {
        if (bpel_system_ensure_velocities(c)) { bpel_system_destroy(c); return NULL; }
        memcpy(c->v, s->v, 3 * n * sizeof *s->v);
    }
    memcpy(c->mass, s->mass, sizeof s->mass);
    memcpy(c->element, s->element, sizeof s->element);
    c->box = s->box;
    memcpy(c->source, s->source, sizeof s->source);
    return c;
}

int bpel_system_ensure_velocities(bpel_system *s)
{
    if (s->v) return BPEL_OK;
    s->v = bpel_calloc(3 * s->n, sizeof *s->v);
    return s->v ? BPEL_OK : BPEL_ENOMEM;
}

const char *bpel_system_type_name(const bpel_system *s, int t, char *buf, size_t n)
{
    if (s->element[t][0])
        snprintf(buf, n, "%s", s->element[t]);
    else
        snprintf(buf, n, "type %d", t);
    return buf;
}

int bpel_system_check_masses(const bpel_system *s)
{
    for (int t = 1; t <= s->ntypes; t++)
        if (!(s->mass[t] > 0.0) || !isfinite(s->mass[t]))
            return bpel_fail(BPEL_EINVAL, "%s: atom type %d has no positive mass (give a Masses section or --elements)",
                             s->source[0] ? s->source : "structure", t);
    return BPEL_OK;
}

static const struct { const char *sym; double mass; } periodic[] = {
    {"H", 1.008},    {"He", 4.0026},  {"Li", 6.94},    {"Be", 9.0122},  {"B", 10.81},
    {"C", 12.011},   {"N", 14.007},   {"O", 15.999},   {"F", 18.998},   {"Ne", 20.180},
    {"Na", 22.990},  {"Mg", 24.305},  {"Al", 26.982},  {"Si", 28.085},  {"P", 30.974},
    {"S", 32.06},    {"Cl", 35.45},   {"Ar", 39.948},  {"K", 39.098},   {"Ca", 40.078},
    {"Sc", 44.956},  {"Ti", 47.867},  {"V", 50.942},   {"Cr", 51.996},  {"Mn", 54.938},
    {"Fe", 55.845},  {"Co", 58.933},  {"Ni", 58.693},  {"Cu", 63.546},  {"Zn", 65.38},
    {"Ga", 69.723},  {"Ge", 72.630},  {"Y", 88.906},   {"Zr", 91.224},  {"Nb", 92.906},
    {"Mo", 95.95},   {"Ru", 101.07},  {"Rh", 102.91},  {"Pd", 106.42},  {"Ag", 107.87},
    {"Sn", 118.71},  {"La", 138.91},  {"Ce", 140.12},  {"Hf", 178.49},  {"Ta", 180.95},
    {"W", 183.84},   {"Pt", 195.08},  {"Au", 196.97},  {"Pb", 207.2},
};

double bpel_element_mass(const char *symbol)
{
    for (size_t k = 0; k < sizeof periodic / sizeof periodic[0]; k++)
        if (strcmp(periodic[k].sym, symbol) == 0) return periodic[k].mass;
    return 0.0;
}

int bpel_system_set_elements(bpel_system *s, const char *list)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", list);
    int t = 0;
    for (char *tok = strtok(buf, ", "); tok; tok = strtok(NULL, ", ")) {
        if (++t > s->ntypes)
            return bpel_fail(BPEL_EINVAL, "--elements %s names more elements than the %d atom types of %s",
                             list, s->ntypes, s->source);
        if (strlen(tok) >= sizeof s->element[0])
            return bpel_fail(BPEL_EINVAL, "element name '%s' too long", tok);
        strcpy(s->element[t], tok);
        if (!(s->mass[t] > 0.0)) s->mass[t] = bpel_element_mass(tok);
    }
    if (t != s->ntypes)
        return bpel_fail(BPEL_EINVAL, "--elements %s names %d elements but %s has %d atom types",
                         list, t, s->source, s->ntypes);
    return BPEL_OK;
}

/* ------------------------------------------------------------------- box */

double bpel_box_volume(const bpel_box *b) { return b->len[0] * b->len[1] * b->len[2]; }

void bpel_box_matrix(const bpel_box *b, double h[3][3])
{
    h[0][0] = b->len[0]; h[0][1] = b->xy;     h[0][2] = b->xz;
    h[1][0] = 0.0;       h[1][1] = b->len[1]; h[1][2] = b->yz;
    h[2][0] = 0.0;       h[2][1] = 0.0;       h[2][2] = b->len[2];
}

void bpel_box_to_frac(const bpel_box *b, const double r[3], double s[3])
{
    double d0 = r[0] - b->lo[0], d1 = r[1] - b->lo[1], d2 = r[2] - b->lo[2];
    s[2] = d2 / b->len[2];
    s[1] = (d1 - b->yz * s[2]) / b->len[1];
    s[0] = (d0 - b->xy * s[1] - b->xz * s[2]) / b->len[0];
}

void bpel_box_from_frac(const bpel_box *b, const double s[3], double r[3])
{
    r[0] = b->lo[0] + b->len[0] * s[0] + b->xy * s[1] + b->xz * s[2];
    r[1] = b->lo[1] + b->len[1] * s[1] + b->yz * s[2];
    r[2] = b->lo[2] + b->len[2] * s[2];
}

void bpel_box_widths(const bpel_box *b, double w[3])
{
    /* width_k = V / |area of the face spanned by the other two vectors| */
    double a[3] = {b->len[0], 0, 0}, bb[3] = {b->xy, b->len[1], 0}, c[3] = {b->xz, b->yz, b->len[2]};
    double V = bpel_box_volume(b);
    const double *v[3] = {a, bb, c};
    for (int k = 0; k < 3; k++) {
        const double *p = v[(k + 1) % 3], *q = v[(k + 2) % 3];
        double cx = p[1] * q[2] - p[2] * q[1], cy = p[2] * q[0] - p[0] * q[2], cz = p[0] * q[1] - p[1] * q[0];
        w[k] = V / sqrt(cx * cx + cy * cy + cz * cz);
    }
}

int bpel_box_is_triclinic(const bpel_box *b) { return b->xy != 0.0 || b->xz != 0.0 || b->yz != 0.0; }

void bpel_box_minimum_image(const bpel_box *b, double d[3])
{
    double s2 = d[2] / b->len[2];
    double n2 = nearbyint(s2);
    d[0] -= n2 * b->xz; d[1] -= n2 * b->yz; d[2] -= n2 * b->len[2];
    double s1 = d[1] / b->len[1];
    double n1 = nearbyint(s1);
    d[0] -= n1 * b->xy; d[1] -= n1 * b->len[1];
    double n0 = nearbyint(d[0] / b->len[0]);
    d[0] -= n0 * b->len[0];
}

void bpel_system_wrap(bpel_system *s)
{
    const bpel_box *b = &s->box;
    for (size_t i = 0; i < s->n; i++) {
        double f[3];
        bpel_box_to_frac(b, &s->x[3 * i], f);
        int changed = 0;
        for (int k = 0; k < 3; k++) {
            double fl = floor(f[k]);
            if (fl != 0.0) {
                f[k] -= fl;
                if (f[k] >= 1.0) f[k] = 0.0; /* round-off of tiny negatives */
                s->image[3 * i + k] += (int)fl;
                changed = 1;
            }
        }
        if (changed) bpel_box_from_frac(b, f, &s->x[3 * i]);
    }
}

void bpel_system_scale(bpel_system *s, double f)
{
    bpel_box *b = &s->box;
    double c[3];
    for (int k = 0; k < 3; k++) c[k] = b->lo[k] + 0.5 * b->len[k];
    c[0] += 0.5 * (b->xy + b->xz);
    c[1] += 0.5 * b->yz;
    for (size_t i = 0; i < s->n; i++)
        for (int k = 0; k < 3; k++) s->x[3 * i + k] = c[k] + f * (s->x[3 * i + k] - c[k]);
    double oc[3] = {b->lo[0] + 0.5 * b->len[0] + 0.5 * (b->xy + b->xz), b->lo[1] + 0.5 * b->len[1] + 0.5 * b->yz,
                    b->lo[2] + 0.5 * b->len[2]};
    for (int k = 0; k < 3; k++) b->len[k] *= f;
    b->xy *= f; b->xz *= f; b->yz *= f;
    /* keep the centre fixed */
    b->lo[0] = oc[0] - 0.5 * b->len[0] - 0.5 * (b->xy + b->xz);
    b->lo[1] = oc[1] - 0.5 * b->len[1] - 0.5 * b->yz;
    b->lo[2] = oc[2] - 0.5 * b->len[2];
}

/* ------------------------------------------------------------- data file */

typedef struct {
    FILE *fp;
    const char *path;
    int lineno;
    char *buf;
    size_t cap;
} reader;

/* Next line with comments stripped; returns NULL at EOF. */
static char *next_line(reader *r, int strip_comment)
{
    ssize_t len = getline(&r->buf, &r->cap, r->fp);
    if (len < 0) return NULL;
    r->lineno++;
    if (strip_comment) {
        char *h = strchr(r->buf, '#');
        if (h) *h = '\0';
    }
    return r->buf;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s)) s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1])) *--e = '\0';
    return s;
}

/* Parse up to `max` whitespace-separated doubles; returns count, or -1 on a
 * token that is not a number. */
static int parse_doubles(char *s, double *out, int max, char **bad)
{
    int n = 0;
    char *save = NULL;
    for (char *tok = strtok_r(s, " \t\r\n", &save); tok; tok = strtok_r(NULL, " \t\r\n", &save)) {
        if (n >= max) return n + 1;
        char *end;
        errno = 0;
        double v = strtod(tok, &end);
        if (*end != '\0' || errno == ERANGE || !isfinite(v)) {
            if (bad) *bad = tok;
            return -1;
        }
        out[n++] = v;
    }
    return n;
}

static const char *section_names[] = {"Atoms", "Velocities", "Masses", "Pair Coeffs", "PairIJ Coeffs", "Bonds",
                                      "Angles", "Dihedrals", "Impropers", NULL};

static int is_section(const char *t)
{
    for (int k = 0; section_names[k]; k++)
        if (strncmp(t, section_names[k], strlen(section_names[k])) == 0) return 1;
    return 0;
}

int bpel_data_read(const char *path, bpel_system **out)
{
    *out = NULL;
    FILE *fp = fopen(path, "r");
    if (!fp) return bpel_fail(BPEL_EIO, "%s: cannot open: %s", path, strerror(errno));
    reader r = {fp, path, 0, NULL, 0};
    int rc = BPEL_OK;
    bpel_system *s = NULL;
    int64_t *vel_ids = NULL;
    int *vel_lines = NULL;
    long long natoms = -1;
    int ntypes = -1;
    double lo[3] = {NAN, NAN, NAN}, hi[3] = {NAN, NAN, NAN}, tilt[3] = {0, 0, 0};
    int box_line = 0, tilt_line = 0, natoms_line = 0; /* where they were given, for messages */
    char *line;

#define FAIL(code, ...) do { rc = bpel_fail(code, __VA_ARGS__); goto done; } while (0)

    if (!next_line(&r, 0)) FAIL(BPEL_EPARSE, "%s: empty file, not a LAMMPS data file", path);

    /* header */
    char *t = NULL;
    while ((line = next_line(&r, 1))) {
        t = trim(line);
        if (!*t) continue;
        if (is_section(t)) break;
        char tmp[512];
        snprintf(tmp, sizeof tmp, "%s", t);
        double v[3];
        char kw[64] = "";
        if (strstr(t, "xlo xhi") || strstr(t, "ylo yhi") || strstr(t, "zlo zhi")) {
            int k = strstr(t, "xlo") ? 0 : strstr(t, "ylo") ? 1 : 2;
            if (sscanf(t, "%lf %lf", &v[0], &v[1]) != 2 || !(v[1] > v[0]))
                FAIL(BPEL_EPARSE, "%s:%d: bad box bounds '%s'", path, r.lineno, t);
            if (!isfinite(v[0]) || !isfinite(v[1]) || !isfinite(v[1] - v[0]))
                FAIL(BPEL_EPARSE, "%s:%d: box bounds '%s' are not finite", path, r.lineno, t);
            lo[k] = v[0];
            hi[k] = v[1];
            box_line = r.lineno;
        } else if (strstr(t, "xy xz yz")) {
            if (sscanf(t, "%lf %lf %lf", &tilt[0], &tilt[1], &tilt[2]) != 3)
                FAIL(BPEL_EPARSE, "%s:%d: bad tilt factors '%s'", path, r.lineno, t);
            if (!isfinite(tilt[0]) || !isfinite(tilt[1]) || !isfinite(tilt[2]))
                FAIL(BPEL_EPARSE, "%s:%d: tilt factors '%s' are not finite", path, r.lineno, t);
            tilt_line = r.lineno;
        } else {
            long long cnt;
            int nread = 0;
            if (sscanf(t, "%lld %n", &cnt, &nread) < 1) FAIL(BPEL_EPARSE, "%s:%d: unexpected header line '%s'", path, r.lineno, t);
            snprintf(kw, sizeof kw, "%s", t + nread);
            if (strcmp(kw, "atoms") == 0) {
                if (cnt < 1) FAIL(BPEL_EPARSE, "%s:%d: number of atoms must be positive, got %lld", path, r.lineno, cnt);
                natoms = cnt;
                natoms_line = r.lineno;
            } else if (strcmp(kw, "atom types") == 0) {
                if (cnt < 1 || cnt > BPEL_MAX_TYPES)
                    FAIL(BPEL_EPARSE, "%s:%d: number of atom types must be 1..%d, got %lld", path, r.lineno, BPEL_MAX_TYPES, cnt);
                ntypes = (int)cnt;
            } else if (strstr(kw, "bonds") || strstr(kw, "angles") || strstr(kw, "dihedrals") || strstr(kw, "impropers")) {
                if (cnt != 0 && !strstr(kw, "types"))
                    FAIL(BPEL_ENOTSUP, "%s:%d: molecular topology (%s) is not supported; bpel reads atomic-style data", path, r.lineno, kw);
            } else if (strstr(kw, "extra") || strstr(kw, "per atom")) {
                /* ignored */
            } else {
                FAIL(BPEL_EPARSE, "%s:%d: unknown header keyword '%s'", path, r.lineno, kw);
            }
        }
        t = NULL;
    }
    if (natoms < 0) FAIL(BPEL_EPARSE, "%s:%d: header has no 'atoms' line", path, r.lineno);
    if (ntypes < 0) FAIL(BPEL_EPARSE, "%s:%d: header has no 'atom types' line", path, r.lineno);
    for (int k = 0; k < 3; k++)
        if (isnan(lo[k])) FAIL(BPEL_EPARSE, "%s:%d: header lacks the %clo %chi box line", path, r.lineno, "xyz"[k], "xyz"[k]);
    if (!t) FAIL(BPEL_EPARSE, "%s:%d: no Atoms section", path, r.lineno);
    {
        /* an atom line takes at least 10 bytes: refuse a count the file
         * cannot hold before allocating for it */
        struct stat st;
        if (fstat(fileno(fp), &st) == 0 && S_ISREG(st.st_mode) && natoms > st.st_size / 10)
            FAIL(BPEL_EPARSE, "%s:%d: header says %lld atoms, more than the file (%lld bytes) can hold", path,
                 natoms_line, natoms, (long long)st.st_size);
        bpel_box bx = {{lo[0], lo[1], lo[2]}, {hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]}, tilt[0], tilt[1], tilt[2]};
        double vol = bpel_box_volume(&bx);
        if (!isfinite(vol) || !(vol > 0))
            FAIL(BPEL_EPARSE, "%s:%d: box volume %g A^3 is out of range", path, box_line, vol);
        if (!(fabs(tilt[0]) <= MAX_WRAP * bx.len[0]) || !(fabs(tilt[1]) <= MAX_WRAP * bx.len[0]) ||
            !(fabs(tilt[2]) <= MAX_WRAP * bx.len[1]))
            FAIL(BPEL_EPARSE, "%s:%d: tilt factors %g %g %g exceed 2^20 box lengths", path, tilt_line, tilt[0], tilt[1],
                 tilt[2]);
    }

    s = bpel_system_create((size_t)natoms, ntypes);
    if (!s) { rc = BPEL_ENOMEM; goto done; }
    snprintf(s->source, sizeof s->source, "%s", path);
    s->line = bpel_calloc((size_t)natoms, sizeof *s->line);
    if (!s->line) { rc = BPEL_ENOMEM; goto done; }
    for (int k = 0; k < 3; k++) {
        s->box.lo[k] = lo[k];
        s->box.len[k] = hi[k] - lo[k];
    }
    s->box.xy = tilt[0]; s->box.xz = tilt[1]; s->box.yz = tilt[2];

    int have_atoms = 0;
    while (t) {
        char sec[64];
        snprintf(sec, sizeof sec, "%s", t);
        int sec_line = r.lineno;
        /* the raw line kept the style hint after '#': re-read is not possible, so
         * the hint is checked from the raw buffer before stripping below. */
        if (strncmp(sec, "Atoms", 5) == 0) {
            /* skip the blank line */
            size_t got = 0;
            while (got < (size_t)natoms) {
                line = next_line(&r, 1);
                if (!line) FAIL(BPEL_EPARSE, "%s:%d: file ends after %zu of %lld atoms in the Atoms section", path, r.lineno, got, natoms);
                char *u = trim(line);
                if (!*u) {
                    if (got == 0) continue;
                    FAIL(BPEL_EPARSE, "%s:%d: blank line after %zu of %lld atoms: fewer atoms than the header says", path, r.lineno, got, natoms);
                }
                if (is_section(u)) FAIL(BPEL_EPARSE, "%s:%d: section '%s' after %zu of %lld atoms: fewer atoms than the header says", path, r.lineno, u, got, natoms);
                double v[9];
                char *bad = NULL;
                int nv = parse_doubles(u, v, 9, &bad);
                if (nv < 0) FAIL(BPEL_EPARSE, "%s:%d: '%s' is not a number in the Atoms section", path, r.lineno, bad);
                if (nv != 5 && nv != 8)
                    FAIL(BPEL_EPARSE, "%s:%d: expected 'id type x y z [ix iy iz]' (atomic style), found %d values", path, r.lineno, nv);
                if (v[0] != floor(v[0]) || v[0] < 1) FAIL(BPEL_EPARSE, "%s:%d: atom id %g is not a positive integer", path, r.lineno, v[0]);
                if (v[0] >= MAX_ID)
                    FAIL(BPEL_EPARSE, "%s:%d: atom id %.17g is not below 2^53, the ids read exactly", path, r.lineno, v[0]);
                if (v[1] != floor(v[1]) || v[1] < 1 || v[1] > ntypes)
                    FAIL(BPEL_EPARSE, "%s:%d: atom type %g outside 1..%d", path, r.lineno, v[1], ntypes);
                s->id[got] = (int64_t)v[0];
                s->type[got] = (int)v[1];
                s->line[got] = r.lineno;
                for (int k = 0; k < 3; k++) s->x[3 * got + k] = v[2 + k];
                if (nv == 8)
                    for (int k = 0; k < 3; k++) {
                        if (v[5 + k] != floor(v[5 + k])) FAIL(BPEL_EPARSE, "%s:%d: image flag %g is not an integer", path, r.lineno, v[5 + k]);
                        if (fabs(v[5 + k]) > INT_MAX)
                            FAIL(BPEL_EPARSE, "%s:%d: image flag %g is outside the integer range", path, r.lineno, v[5 + k]);
                        s->image[3 * got + k] = (int)v[5 + k];
                    }
                got++;
            }
            have_atoms = 1;
        } else if (strncmp(sec, "Masses", 6) == 0) {
            int got = 0;
            while (got < ntypes) {
                line = next_line(&r, 1);
                if (!line) FAIL(BPEL_EPARSE, "%s:%d: file ends inside Masses (%d of %d types)", path, r.lineno, got, ntypes);
                char *u = trim(line);
                if (!*u) { if (got == 0) continue; FAIL(BPEL_EPARSE, "%s:%d: Masses lists %d of %d types", path, r.lineno, got, ntypes); }
                double v[2];
                char *bad = NULL;
                int nv = parse_doubles(u, v, 2, &bad);
                if (nv != 2) FAIL(BPEL_EPARSE, "%s:%d: expected 'type mass' in Masses", path, r.lineno);
                if (v[0] != floor(v[0]) || v[0] < 1 || v[0] > ntypes) FAIL(BPEL_EPARSE, "%s:%d: mass given for type %g outside 1..%d", path, r.lineno, v[0], ntypes);
                if (!(v[1] > 0)) FAIL(BPEL_EPARSE, "%s:%d: mass %g of type %g must be positive", path, r.lineno, v[1], v[0]);
                if (s->mass[(int)v[0]] > 0) FAIL(BPEL_EPARSE, "%s:%d: Masses gives type %g twice", path, r.lineno, v[0]);
                s->mass[(int)v[0]] = v[1];
                got++;
            }
        } else if (strncmp(sec, "Velocities", 10) == 0) {
            if (s->v) FAIL(BPEL_EPARSE, "%s:%d: a second Velocities section", path, r.lineno);
            vel_ids = bpel_calloc((size_t)natoms, sizeof *vel_ids);
            vel_lines = bpel_calloc((size_t)natoms, sizeof *vel_lines);
            double *vel = bpel_calloc(3 * (size_t)natoms, sizeof *vel);
            if (!vel_ids || !vel_lines || !vel) { free(vel); rc = BPEL_ENOMEM; goto done; }
            s->v = vel;
            size_t got = 0;
            while (got < (size_t)natoms) {
                line = next_line(&r, 1);
                if (!line) FAIL(BPEL_EPARSE, "%s:%d: file ends after %zu of %lld velocities", path, r.lineno, got, natoms);
                char *u = trim(line);
                if (!*u) { if (got == 0) continue; FAIL(BPEL_EPARSE, "%s:%d: Velocities has %zu of %lld atoms", path, r.lineno, got, natoms); }
                double v[5];
                char *bad = NULL;
                int nv = parse_doubles(u, v, 5, &bad);
                if (nv < 0) FAIL(BPEL_EPARSE, "%s:%d: '%s' is not a number in the Velocities section", path, r.lineno, bad);
                if (nv != 4) FAIL(BPEL_EPARSE, "%s:%d: expected 'id vx vy vz' in Velocities", path, r.lineno);
                if (v[0] != floor(v[0]) || v[0] < 1 || v[0] >= MAX_ID)
                    FAIL(BPEL_EPARSE, "%s:%d: atom id %g in Velocities is not an atom id", path, r.lineno, v[0]);
                vel_ids[got] = (int64_t)v[0];
                vel_lines[got] = r.lineno;
                for (int k = 0; k < 3; k++) vel[3 * got + k] = v[1 + k];
                got++;
            }
        } else if (strncmp(sec, "Pair Coeffs", 11) == 0 || strncmp(sec, "PairIJ Coeffs", 13) == 0) {
            /* skip a block of lines until blank after content */
            int seen = 0;
            while ((line = next_line(&r, 1))) {
                char *u = trim(line);
                if (!*u) { if (seen) break; continue; }
                seen = 1;
            }
        } else {
            FAIL(BPEL_ENOTSUP, "%s:%d: section '%s' is not supported (atomic style only)", path, sec_line, sec);
        }
        /* find next section header */
        t = NULL;
        while ((line = next_line(&r, 1))) {
            char *u = trim(line);
            if (!*u) continue;
            if (!is_section(u)) FAIL(BPEL_EPARSE, "%s:%d: unexpected line '%s' (more atoms than the header says, or a misplaced section)", path, r.lineno, u);
            t = u;
            break;
        }
    }
    if (!have_atoms) FAIL(BPEL_EPARSE, "%s: no Atoms section", path);

    /* ids unique; velocities matched by id */
    size_t *order = bpel_system_id_order(s);
    if (!order) { rc = BPEL_ENOMEM; goto done; }
    for (size_t k = 1; k < s->n; k++)
        if (s->id[order[k]] == s->id[order[k - 1]]) {
            int64_t dup = s->id[order[k]];
            int l1 = s->line[order[k - 1]], l2 = s->line[order[k]];
            free(order);
            FAIL(BPEL_EPARSE, "%s:%d: atom id %lld appears twice (also line %d)", path, l1 > l2 ? l1 : l2, (long long)dup, l1 < l2 ? l1 : l2);
        }
    if (s->v) {
        double *sorted = bpel_calloc(3 * s->n, sizeof *sorted);
        int *from = bpel_calloc(s->n, sizeof *from);
        if (!sorted || !from) { free(order); free(sorted); free(from); rc = BPEL_ENOMEM; goto done; }
        for (size_t k = 0; k < s->n; k++) {
            long idx = bpel_system_find_id(s, order, vel_ids[k]);
            if (idx < 0) {
                free(order); free(sorted); free(from);
                FAIL(BPEL_EPARSE, "%s:%d: Velocities names atom id %lld that is not in Atoms", path, vel_lines[k],
                     (long long)vel_ids[k]);
            }
            if (from[idx]) {
                int l1 = from[idx], l2 = vel_lines[k];
                free(order); free(sorted); free(from);
                FAIL(BPEL_EPARSE, "%s:%d: Velocities gives atom id %lld twice (also line %d)", path, l2,
                     (long long)vel_ids[k], l1);
            }
            from[idx] = vel_lines[k];
            memcpy(&sorted[3 * idx], &s->v[3 * k], 3 * sizeof(double));
        }
        free(from);
        free(s->v);
        s->v = sorted;
    }
    free(order);
    /* wrapping must keep positions exact enough and image flags in range */
    for (size_t i = 0; i < s->n; i++) {
        double f[3];
        bpel_box_to_frac(&s->box, &s->x[3 * i], f);
        for (int k = 0; k < 3; k++) {
            double fl = floor(f[k]);
            if (!(fabs(fl) <= MAX_WRAP))
                FAIL(BPEL_EPARSE, "%s:%d: atom %lld lies %.3g box lengths outside the box (at most 2^20 are wrapped)",
                     path, s->line[i], (long long)s->id[i], fabs(fl));
            if (fabs((double)s->image[3 * i + k] + fl) > INT_MAX)
                FAIL(BPEL_EPARSE, "%s:%d: image flag of atom %lld leaves the integer range when it is wrapped into the box",
                     path, s->line[i], (long long)s->id[i]);
        }
    }
    bpel_system_wrap(s);

done:
#undef FAIL
    free(vel_ids);
    free(vel_lines);
    free(r.buf);
    fclose(fp);
    if (rc != BPEL_OK) {
        bpel_system_destroy(s);
        return rc;
    }
    *out = s;
    return BPEL_OK;
}

int bpel_data_write(const char *path, const bpel_system *s, const char *comment)
{
    bpel_out o;
    int rc = bpel_out_open(&o, path);
    if (rc) return rc;
    FILE *fp = o.fp;
    const bpel_box *b = &s->box;
    fprintf(fp, "%s\n\n", comment ? comment : "LAMMPS data file written by bpel");
    fprintf(fp, "%zu atoms\n%d atom types\n\n", s->n, s->ntypes);
    fprintf(fp, "%.17g %.17g xlo xhi\n", b->lo[0], b->lo[0] + b->len[0]);
    fprintf(fp, "%.17g %.17g ylo yhi\n", b->lo[1], b->lo[1] + b->len[1]);
    fprintf(fp, "%.17g %.17g zlo zhi\n", b->lo[2], b->lo[2] + b->len[2]);
    if (bpel_box_is_triclinic(b)) fprintf(fp, "%.17g %.17g %.17g xy xz yz\n", b->xy, b->xz, b->yz);
    int have_mass = 1;
    for (int t = 1; t <= s->ntypes; t++) have_mass &= s->mass[t] > 0;
    if (have_mass) {
        fprintf(fp, "\nMasses\n\n");
        for (int t = 1; t <= s->ntypes; t++)
            fprintf(fp, "%d %.10g%s%s\n", t, s->mass[t], s->element[t][0] ? "  # " : "", s->element[t]);
    }
    size_t *order = bpel_system_id_order(s);
    if (!order) { bpel_out_discard(&o); return BPEL_ENOMEM; }
    fprintf(fp, "\nAtoms # atomic\n\n");
    for (size_t k = 0; k < s->n; k++) {
        size_t i = order[k];
        fprintf(fp, "%lld %d %.17g %.17g %.17g %d %d %d\n", (long long)s->id[i], s->type[i], s->x[3 * i], s->x[3 * i + 1],
                s->x[3 * i + 2], s->image[3 * i], s->image[3 * i + 1], s->image[3 * i + 2]);
    }
    if (s->v) {
        fprintf(fp, "\nVelocities\n\n");
        for (size_t k = 0; k < s->n; k++) {
            size_t i = order[k];
            fprintf(fp, "%lld %.17g %.17g %.17g\n", (long long)s->id[i], s->v[3 * i], s->v[3 * i + 1], s->v[3 * i + 2]);
        }
    }
    free(order);
    return bpel_out_close(&o);
}

/* ----------------------------------------------------------- id ordering */

static const int64_t *sort_ids;
static int cmp_by_id(const void *a, const void *b)
{
    int64_t x = sort_ids[*(const size_t *)a], y = sort_ids[*(const size_t *)b];
    return (x > y) - (x < y);
}

size_t *bpel_system_id_order(const bpel_system *s)
{
    size_t *o = bpel_malloc(s->n * sizeof *o);
    if (!o) return NULL;
    int sorted = 1;
    for (size_t i = 0; i < s->n; i++) {
        o[i] = i;
        if (i && s->id[i] < s->id[i - 1]) sorted = 0;
    }
    if (!sorted) {
        /* qsort with a file-scope key: callers are not expected to sort
         * concurrently; guard with a critical section anyway. */
#pragma omp critical(bpel_id_sort)
        {
            sort_ids = s->id;
            qsort(o, s->n, sizeof *o, cmp_by_id);
        }
    }
    return o;
}

long bpel_system_find_id(const bpel_system *s, const size_t *order, int64_t id)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int64_t v = s->id[order[mid]];
        if (v == id) return (long)order[mid];
        if (v < id) lo = mid + 1; else hi = mid;
    }
    return -1;
}

/* ------------------------------------------------------- dumps and XYZ */

static int builtin_value(const bpel_system *s, const char *name, size_t i, double *v, int *is_int, const char **str)
{
    *is_int = 0;
    *str = NULL;
    if (!strcmp(name, "id")) { *v = (double)s->id[i]; *is_int = 1; }
    else if (!strcmp(name, "type")) { *v = s->type[i]; *is_int = 1; }
    else if (!strcmp(name, "element")) { *str = s->element[s->type[i]][0] ? s->element[s->type[i]] : "X"; }
    else if (!strcmp(name, "x")) *v = s->x[3 * i];
    else if (!strcmp(name, "y")) *v = s->x[3 * i + 1];
    else if (!strcmp(name, "z")) *v = s->x[3 * i + 2];
    else if (!strcmp(name, "vx")) *v = s->v ? s->v[3 * i] : 0.0;
    else if (!strcmp(name, "vy")) *v = s->v ? s->v[3 * i + 1] : 0.0;
    else if (!strcmp(name, "vz")) *v = s->v ? s->v[3 * i + 2] : 0.0;
    else if (!strcmp(name, "ix")) { *v = s->image[3 * i]; *is_int = 1; }
    else if (!strcmp(name, "iy")) { *v = s->image[3 * i + 1]; *is_int = 1; }
    else if (!strcmp(name, "iz")) { *v = s->image[3 * i + 2]; *is_int = 1; }
    else return bpel_fail(BPEL_EINVAL, "unknown built-in column '%s'", name);
    return BPEL_OK;
}

static int write_value(FILE *fp, const bpel_system *s, const bpel_column *c, size_t i)
{
    if (c->data) return fprintf(fp, "%.17g", c->data[i * (size_t)(c->stride ? c->stride : 1) + (size_t)c->offset]) < 0;
    double v = 0.0;
    int is_int;
    const char *str;
    if (builtin_value(s, c->name, i, &v, &is_int, &str)) return -1;
    if (str) return fprintf(fp, "%s", str) < 0;
    if (is_int) return fprintf(fp, "%lld", (long long)v) < 0;
    return fprintf(fp, "%.17g", v) < 0;
}

int bpel_dump_write_frame(FILE *fp, const bpel_system *s, long step, int ncol, const bpel_column *cols)
{
    const bpel_box *b = &s->box;
    fprintf(fp, "ITEM: TIMESTEP\n%ld\nITEM: NUMBER OF ATOMS\n%zu\n", step, s->n);
    if (bpel_box_is_triclinic(b)) {
        /* LAMMPS writes the bounding box of the tilted cell */
        double xlo = b->lo[0], xhi = b->lo[0] + b->len[0], ylo = b->lo[1], yhi = b->lo[1] + b->len[1];
        double xlob = xlo + fmin(0.0, fmin(b->xy, fmin(b->xz, b->xy + b->xz)));
        double xhib = xhi + fmax(0.0, fmax(b->xy, fmax(b->xz, b->xy + b->xz)));
        double ylob = ylo + fmin(0.0, b->yz), yhib = yhi + fmax(0.0, b->yz);
        fprintf(fp, "ITEM: BOX BOUNDS xy xz yz pp pp pp\n%.17g %.17g %.17g\n%.17g %.17g %.17g\n%.17g %.17g %.17g\n", xlob,
                xhib, b->xy, ylob, yhib, b->xz, b->lo[2], b->lo[2] + b->len[2], b->yz);
    } else {
        fprintf(fp, "ITEM: BOX BOUNDS pp pp pp\n");
        for (int k = 0; k < 3; k++) fprintf(fp, "%.17g %.17g\n", b->lo[k], b->lo[k] + b->len[k]);
    }
    fprintf(fp, "ITEM: ATOMS");
    for (int c = 0; c < ncol; c++) fprintf(fp, " %s", cols[c].name);
    fputc('\n', fp);
    size_t *order = bpel_system_id_order(s);
    if (!order) return BPEL_ENOMEM;
    for (size_t k = 0; k < s->n; k++) {
        for (int c = 0; c < ncol; c++) {
            if (c) fputc(' ', fp);
            if (write_value(fp, s, &cols[c], order[k])) { free(order); return bpel_fail(BPEL_EIO, "dump write failed"); }
        }
        fputc('\n', fp);
    }
    free(order);
    return ferror(fp) ? bpel_fail(BPEL_EIO, "dump write failed: %s", strerror(errno)) : BPEL_OK;
}

/* Shortest of %.15g/%.16g/%.17g that reads back exactly. */
static const char *exact(char buf[32], double v)
{
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, 32, "%.*g", prec, v);
        if (strtod(buf, NULL) == v) break;
    }
    return buf;
}

int bpel_xyz_write_frame(FILE *fp, const bpel_system *s, int ncol, const bpel_column *cols, const char *comment)
{
    const bpel_box *b = &s->box;
    char q[9][32];
    fprintf(fp, "%zu\n", s->n);
    fprintf(fp, "Lattice=\"%s 0 0 %s %s 0 %s %s %s\" Origin=\"%s %s %s\" ", exact(q[0], b->len[0]), exact(q[1], b->xy),
            exact(q[2], b->len[1]), exact(q[3], b->xz), exact(q[4], b->yz), exact(q[5], b->len[2]),
            exact(q[6], b->lo[0]), exact(q[7], b->lo[1]), exact(q[8], b->lo[2]));
    fprintf(fp, "Properties=species:S:1:pos:R:3:id:I:1:type:I:1");
    for (int c = 0; c < ncol; c++) fprintf(fp, ":%s:R:1", cols[c].name);
    fprintf(fp, " pbc=\"T T T\"");
    if (comment) fprintf(fp, " Comment=\"%s\"", comment);
    fputc('\n', fp);
    size_t *order = bpel_system_id_order(s);
    if (!order) return BPEL_ENOMEM;
    for (size_t k = 0; k < s->n; k++) {
        size_t i = order[k];
        const char *el = s->element[s->type[i]][0] ? s->element[s->type[i]] : "X";
        fprintf(fp, "%s %.17g %.17g %.17g %lld %d", el, s->x[3 * i], s->x[3 * i + 1], s->x[3 * i + 2], (long long)s->id[i],
                s->type[i]);
        for (int c = 0; c < ncol; c++) {
            fputc(' ', fp);
            if (write_value(fp, s, &cols[c], i)) { free(order); return bpel_fail(BPEL_EIO, "xyz write failed"); }
        }
        fputc('\n', fp);
    }
    free(order);
    return ferror(fp) ? bpel_fail(BPEL_EIO, "xyz write failed: %s", strerror(errno)) : BPEL_OK;
}

int bpel_dump_read_frame(FILE *fp, const char *path, bpel_system *s, long *step, int *lineno)
{
    reader r = {fp, path, lineno ? *lineno : 0, NULL, 0};
    char *line;
    int rc = BPEL_OK;
    size_t *order = NULL;
    char *seen = NULL;
#define FAIL(code, ...) do { rc = bpel_fail(code, __VA_ARGS__); goto out; } while (0)
    line = next_line(&r, 0);
    if (!line) { rc = 1; goto out; }
    if (strncmp(line, "ITEM: TIMESTEP", 14)) FAIL(BPEL_EPARSE, "%s:%d: expected 'ITEM: TIMESTEP'", path, r.lineno);
    if (!next_line(&r, 0) || sscanf(r.buf, "%ld", step) != 1) FAIL(BPEL_EPARSE, "%s:%d: bad timestep", path, r.lineno);
    if (!next_line(&r, 0) || strncmp(r.buf, "ITEM: NUMBER OF ATOMS", 21))
        FAIL(BPEL_EPARSE, "%s:%d: expected NUMBER OF ATOMS", path, r.lineno);
    long long n;
    if (!next_line(&r, 0) || sscanf(r.buf, "%lld", &n) != 1) FAIL(BPEL_EPARSE, "%s:%d: bad atom count", path, r.lineno);
    if (n < 0 || (unsigned long long)n != s->n)
        FAIL(BPEL_EINVAL, "%s:%d: frame has %lld atoms, structure has %zu", path, r.lineno, n, s->n);
    if (!next_line(&r, 0) || strncmp(r.buf, "ITEM: BOX BOUNDS", 16)) FAIL(BPEL_EPARSE, "%s:%d: expected BOX BOUNDS", path, r.lineno);
    int tri = strstr(r.buf, "xy") != NULL;
    double bb[3][3] = {{0}};
    for (int k = 0; k < 3; k++) {
        if (!next_line(&r, 0)) FAIL(BPEL_EPARSE, "%s:%d: truncated box", path, r.lineno);
        int got = sscanf(r.buf, "%lf %lf %lf", &bb[k][0], &bb[k][1], &bb[k][2]);
        if (got < (tri ? 3 : 2)) FAIL(BPEL_EPARSE, "%s:%d: bad box line", path, r.lineno);
        if (!isfinite(bb[k][0]) || !isfinite(bb[k][1]) || !isfinite(bb[k][2]))
            FAIL(BPEL_EPARSE, "%s:%d: box bounds are not finite", path, r.lineno);
    }
    bpel_box nb = s->box;
    bpel_box *b = &nb;
    if (tri) {
        b->xy = bb[0][2]; b->xz = bb[1][2]; b->yz = bb[2][2];
        double xlo = bb[0][0] - fmin(0.0, fmin(b->xy, fmin(b->xz, b->xy + b->xz)));
        double xhi = bb[0][1] - fmax(0.0, fmax(b->xy, fmax(b->xz, b->xy + b->xz)));
        double ylo = bb[1][0] - fmin(0.0, b->yz), yhi = bb[1][1] - fmax(0.0, b->yz);
        b->lo[0] = xlo; b->len[0] = xhi - xlo; b->lo[1] = ylo; b->len[1] = yhi - ylo;
        b->lo[2] = bb[2][0]; b->len[2] = bb[2][1] - bb[2][0];
    } else {
        for (int k = 0; k < 3; k++) { b->lo[k] = bb[k][0]; b->len[k] = bb[k][1] - bb[k][0]; }
        b->xy = b->xz = b->yz = 0.0;
    }
    double vol = bpel_box_volume(b);
    if (!(b->len[0] > 0) || !(b->len[1] > 0) || !(b->len[2] > 0) || !isfinite(vol) || !(vol > 0) ||
        !isfinite(b->len[0] + b->len[1] + b->len[2] + b->lo[0] + b->lo[1] + b->lo[2]))
        FAIL(BPEL_EPARSE, "%s:%d: box bounds give edges %g %g %g A, not a box", path, r.lineno, b->len[0], b->len[1],
             b->len[2]);
    if (!next_line(&r, 0) || strncmp(r.buf, "ITEM: ATOMS", 11)) FAIL(BPEL_EPARSE, "%s:%d: expected ITEM: ATOMS", path, r.lineno);
    int cid = -1, cx = -1, cy = -1, cz = -1, ncols = 0;
    {
        char *save = NULL;
        for (char *tok = strtok_r(r.buf + 11, " \t\r\n", &save); tok; tok = strtok_r(NULL, " \t\r\n", &save), ncols++) {
            if (!strcmp(tok, "id")) cid = ncols;
            else if (!strcmp(tok, "x") || !strcmp(tok, "xu")) cx = ncols;
            else if (!strcmp(tok, "y") || !strcmp(tok, "yu")) cy = ncols;
            else if (!strcmp(tok, "z") || !strcmp(tok, "zu")) cz = ncols;
        }
    }
    if (cid < 0 || cx < 0 || cy < 0 || cz < 0) FAIL(BPEL_EPARSE, "%s:%d: dump needs columns id x y z", path, r.lineno);
    if (ncols > 64) FAIL(BPEL_ENOTSUP, "%s:%d: %d columns, at most 64 are read", path, r.lineno, ncols);
    order = bpel_system_id_order(s);
    seen = bpel_calloc(s->n ? s->n : 1, 1);
    if (!order || !seen) FAIL(BPEL_ENOMEM, "out of memory");
    for (long long k = 0; k < n; k++) {
        if (!next_line(&r, 0)) FAIL(BPEL_EPARSE, "%s:%d: frame truncated after %lld atoms", path, r.lineno, k);
        double v[64];
        int nv = parse_doubles(r.buf, v, 64, NULL);
        if (nv < ncols) FAIL(BPEL_EPARSE, "%s:%d: atom line has %d of %d numbers", path, r.lineno, nv < 0 ? 0 : nv, ncols);
        if (v[cid] != floor(v[cid]) || v[cid] < 1 || v[cid] >= MAX_ID)
            FAIL(BPEL_EPARSE, "%s:%d: atom id %g is not a positive integer up to 2^53", path, r.lineno, v[cid]);
        long idx = bpel_system_find_id(s, order, (int64_t)v[cid]);
        if (idx < 0) FAIL(BPEL_EINVAL, "%s:%d: atom id %.0f not in the structure", path, r.lineno, v[cid]);
        if (seen[idx]) FAIL(BPEL_EPARSE, "%s:%d: atom id %.0f appears twice in the frame", path, r.lineno, v[cid]);
        seen[idx] = 1;
        double x[3] = {v[cx], v[cy], v[cz]}, f[3];
        bpel_box_to_frac(b, x, f);
        for (int d = 0; d < 3; d++)
            if (!(fabs(f[d]) <= MAX_WRAP))
                FAIL(BPEL_EPARSE, "%s:%d: atom %.0f lies more than 2^20 box lengths outside the box", path, r.lineno, v[cid]);
        memcpy(&s->x[3 * idx], x, sizeof x);
    }
    s->box = nb;
out:
#undef FAIL
    if (lineno) *lineno = r.lineno;
    free(order);
    free(seen);
    free(r.buf);
    return rc;
}
