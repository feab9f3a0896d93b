/* eam.c — reading LAMMPS EAM potential files and building their splines.
 *
 * The three formats (LAMMPS doc of pair_style eam):
 *   funcfl  (eam):       comment; "Z mass a lattice"; "Nrho drho Nr dr cut";
 *                        F(ρ)[Nrho], Z(r)[Nr], ρ(r)[Nr]; φ(r) = 27.2·0.529·Zi·Zj / r
 *   setfl   (eam/alloy): 3 comments; "Ne El1 .. ElNe"; "Nrho drho Nr dr cut";
 *                        per element: "Z mass a lattice", F[Nrho], ρ[Nr];
 *                        then r·φ_ij[Nr] for i, j<=i
 *   Finnis–Sinclair (eam/fs): as setfl but each element block has Ne density
 *                        functions ρ_{el,k}[Nr], k = 1..Ne: the density element
 *                        `el` contributes at an atom of element k.
 * Values may wrap across lines arbitrarily. The funcfl tables are resampled
 * onto one grid with LAMMPS's 4-point interpolation; each table becomes a
 * 7-coefficient cubic per interval with LAMMPS's derivative estimates
 * (PairEAM::interpolate), so this code and LAMMPS evaluate the same function. */
#include "eam.h"
#include "eam_tables.h"
#include "error.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAXEL BPEL_MAX_TYPES

typedef enum { STYLE_FUNCFL, STYLE_SETFL, STYLE_FS } eam_style;

struct bpel_eam {
    eam_style style;
    char path[1024];
    int ne;                          /* elements */
    char elem[MAXEL][8];
    double mass[MAXEL];
    int nr, nrho;                    /* common grid */
    double dr, drho, cut, rhomax;
    eam_coef *frho[MAXEL];           /* per element, [nrho+1] */
    eam_coef *rhor[MAXEL][MAXEL];    /* [a][b]: density element b contributes at an atom of element a */
    eam_coef *z2r[MAXEL][MAXEL];     /* symmetric, r·φ */
};

/* ------------------------------------------------------------ tokenizer */

typedef struct {
    FILE *fp;
    const char *path;
    int lineno;
    char *line;
    size_t cap;
    char *pos;
} tokens;

static int read_line(tokens *t)
{
    ssize_t n = getline(&t->line, &t->cap, t->fp);
    if (n < 0) return 0;
    t->lineno++;
    t->pos = t->line;
    return 1;
}

/* Next whitespace-separated token across lines; NULL at EOF. */
static char *next_token(tokens *t)
{
    for (;;) {
        if (t->pos) {
            while (*t->pos && isspace((unsigned char)*t->pos)) t->pos++;
            if (*t->pos) {
                char *s = t->pos;
                while (*t->pos && !isspace((unsigned char)*t->pos)) t->pos++;
                if (*t->pos) *t->pos++ = '\0';
                return s;
            }
        }
        if (!read_line(t)) return NULL;
    }
}

static int read_doubles(tokens *t, double *out, int n, const char *what)
{
    for (int k = 0; k < n; k++) {
        char *s = next_token(t);
        if (!s)
            return bpel_fail(BPEL_EPARSE, "%s:%d: file ends after %d of %d values of %s", t->path, t->lineno, k, n, what);
        char *end;
        errno = 0;
        double v = strtod(s, &end);
        if (*end != '\0' || !isfinite(v))
            return bpel_fail(BPEL_EPARSE, "%s:%d: '%s' is not a number (value %d of %s)", t->path, t->lineno, s, k + 1,
                             what);
        out[k] = v;
    }
    return BPEL_OK;
}

/* Read one whole line's tokens (after the current position is exhausted). */
static int line_tokens(tokens *t, char **tok, int max, const char *what)
{
    if (!read_line(t)) return bpel_fail(BPEL_EPARSE, "%s:%d: file ends before %s", t->path, t->lineno, what);
    int n = 0;
    char *save = NULL;
    for (char *s = strtok_r(t->line, " \t\r\n", &save); s && n < max; s = strtok_r(NULL, " \t\r\n", &save)) tok[n++] = s;
    t->pos = NULL;
    return n;
}

static int parse_grid(tokens *t, int *nrho, double *drho, int *nr, double *dr, double *cut)
{
    char *tok[8];
    int n = line_tokens(t, tok, 8, "the grid line (Nrho drho Nr dr cutoff)");
    if (n < 0) return n;
    char *e1, *e2, *e3, *e4, *e5;
    if (n < 5) return bpel_fail(BPEL_EPARSE, "%s:%d: expected 'Nrho drho Nr dr cutoff'", t->path, t->lineno);
    long a = strtol(tok[0], &e1, 10), c = strtol(tok[2], &e3, 10);
    double b = strtod(tok[1], &e2), d = strtod(tok[3], &e4), e = strtod(tok[4], &e5);
    if (*e1 || *e2 || *e3 || *e4 || *e5)
        return bpel_fail(BPEL_EPARSE, "%s:%d: expected 'Nrho drho Nr dr cutoff', got non-numbers", t->path, t->lineno);
    if (a < 5 || c < 5 || !(b > 0) || !(d > 0) || !(e > 0) || a > 10000000 || c > 10000000 || !isfinite(b) ||
        !isfinite(d) || !isfinite(e))
        return bpel_fail(BPEL_EPARSE, "%s:%d: invalid grid Nrho=%ld drho=%g Nr=%ld dr=%g cutoff=%g", t->path, t->lineno, a,
                         b, c, d, e);
    /* the r tables end at (Nr-1)·dr; LAMMPS files put the cutoff there or one
     * step further, never beyond */
    if (e > c * d * (1.0 + 1e-9))
        return bpel_fail(BPEL_EPARSE, "%s:%d: cutoff %g A lies beyond the r table, which ends at Nr*dr = %g A", t->path,
                         t->lineno, e, c * d);
    /* every table value takes at least 2 bytes: refuse grids the file cannot
     * hold before allocating for them */
    struct stat st;
    if (fstat(fileno(t->fp), &st) == 0 && S_ISREG(st.st_mode) && 2 * (a + c) > (long)st.st_size)
        return bpel_fail(BPEL_EPARSE, "%s:%d: grid of Nrho=%ld and Nr=%ld values is larger than the file (%lld bytes)",
                         t->path, t->lineno, a, c, (long long)st.st_size);
    *nrho = (int)a; *drho = b; *nr = (int)c; *dr = d; *cut = e;
    return BPEL_OK;
}

static int parse_element_line(tokens *t, double *mass, const char *elname)
{
    char *tok[8];
    char what[64];
    snprintf(what, sizeof what, "the header of element %s", elname);
    int n = line_tokens(t, tok, 8, what);
    if (n < 0) return n;
    if (n < 2) return bpel_fail(BPEL_EPARSE, "%s:%d: expected 'Z mass a lattice' for element %s", t->path, t->lineno, elname);
    char *e;
    *mass = strtod(tok[1], &e);
    if (*e || !(*mass > 0) || !isfinite(*mass))
        return bpel_fail(BPEL_EPARSE, "%s:%d: bad mass '%s' for element %s", t->path, t->lineno, tok[1], elname);
    return BPEL_OK;
}

/* --------------------------------------------------------------- splines */

/* PairEAM::interpolate: f is 1-based [1..n]. */
static void interpolate(int n, double delta, const double *f, eam_coef *s)
{
    for (int m = 1; m <= n; m++) s[m][6] = f[m];
    s[1][5] = s[2][6] - s[1][6];
    s[2][5] = 0.5 * (s[3][6] - s[1][6]);
    s[n - 1][5] = 0.5 * (s[n][6] - s[n - 2][6]);
    s[n][5] = s[n][6] - s[n - 1][6];
    for (int m = 3; m <= n - 2; m++) s[m][5] = ((s[m - 2][6] - s[m + 2][6]) + 8.0 * (s[m + 1][6] - s[m - 1][6])) / 12.0;
    for (int m = 1; m <= n - 1; m++) {
        s[m][4] = 3.0 * (s[m + 1][6] - s[m][6]) - 2.0 * s[m][5] - s[m + 1][5];
        s[m][3] = s[m][5] + s[m + 1][5] - 2.0 * (s[m + 1][6] - s[m][6]);
    }
    s[n][4] = 0.0;
    s[n][3] = 0.0;
    for (int m = 1; m <= n; m++) {
        s[m][2] = s[m][5] / delta;
        s[m][1] = 2.0 * s[m][4] / delta;
        s[m][0] = 3.0 * s[m][3] / delta;
    }
}

/* The spline of a table, or NULL with the message set: out of memory, or
 * values so large that the spline overflows (the message names the file,
 * the line where the table ends and what the table is). */
static eam_coef *make_spline(const tokens *t, const char *what, int n, double delta, const double *f)
{
    eam_coef *s = bpel_calloc((size_t)n + 1, sizeof *s);
    if (!s) return NULL;
    interpolate(n, delta, f, s);
    /* the value, the first derivative carried over the table's span (F is
     * extended linearly beyond its end) and the second derivative must stay
     * finite everywhere */
    double span = n * delta;
    for (int m = 1; m <= n; m++) {
        const double *c = s[m];
        double v = fabs(c[3]) + fabs(c[4]) + fabs(c[5]) + fabs(c[6]), d1 = fabs(c[0]) + fabs(c[1]) + fabs(c[2]);
        double d2 = (2.0 * fabs(c[0]) + fabs(c[1])) / delta;
        if (!isfinite(v + d1 * span) || !isfinite(d2)) {
            free(s);
            bpel_fail(BPEL_EPARSE, "%s:%d: the values of %s are too large to interpolate", t->path, t->lineno, what);
            return NULL;
        }
    }
    return s;
}

/* The code for a failed make_spline, from its message. */
static int spline_error(void) { return strstr(bpel_errmsg(), "too large to interpolate") ? BPEL_EPARSE : BPEL_ENOMEM; }

/* LAMMPS's 4-point resampling of a 1-based funcfl table onto point r. */
static double resample(const double *tab, int ntab, double dtab, double r)
{
    const double sixth = 1.0 / 6.0;
    double p = r / dtab + 1.0;
    int k = (int)p;
    if (k > ntab - 2) k = ntab - 2;
    if (k < 2) k = 2;
    p -= k;
    if (p > 2.0) p = 2.0;
    double c1 = -sixth * p * (p - 1.0) * (p - 2.0);
    double c2 = 0.5 * (p * p - 1.0) * (p - 2.0);
    double c3 = -0.5 * p * (p + 1.0) * (p - 2.0);
    double c4 = sixth * p * (p * p - 1.0);
    return c1 * tab[k - 1] + c2 * tab[k] + c3 * tab[k + 1] + c4 * tab[k + 2];
}

/* ---------------------------------------------------------------- files */

static int file_exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

int bpel_potential_find(const char *name, char *out, size_t n)
{
    if (!name || !*name) return bpel_fail(BPEL_EINVAL, "empty potential file name");
    if (file_exists(name)) {
        snprintf(out, n, "%s", name);
        return BPEL_OK;
    }
    if (!strchr(name, '/')) {
        const char *env = getenv("LAMMPS_POTENTIALS");
        if (env && *env) {
            snprintf(out, n, "%s/%s", env, name);
            if (file_exists(out)) return BPEL_OK;
        }
        snprintf(out, n, "/usr/share/lammps/potentials/%s", name);
        if (file_exists(out)) return BPEL_OK;
    }
    return bpel_fail(BPEL_EIO,
                     "potential file '%s' not found (looked at the path, in $LAMMPS_POTENTIALS and in "
                     "/usr/share/lammps/potentials; install Debian's lammps-data or give a path)",
                     name);
}

static int ends_with(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && strcmp(s + a - b, suf) == 0;
}

static int read_funcfl(tokens *t, bpel_eam *p)
{
    int rc;
    if (!read_line(t)) return bpel_fail(BPEL_EPARSE, "%s: empty file", t->path);
    t->pos = NULL;
    char *tok[8];
    int n = line_tokens(t, tok, 8, "the element line (Z mass a lattice)");
    if (n < 0) return n;
    if (n < 2) return bpel_fail(BPEL_EPARSE, "%s:%d: expected 'Z mass a lattice'", t->path, t->lineno);
    char *e;
    long z = strtol(tok[0], &e, 10);
    if (*e) return bpel_fail(BPEL_EPARSE, "%s:%d: atomic number '%s' is not an integer", t->path, t->lineno, tok[0]);
    double mass = strtod(tok[1], &e);
    if (*e || !(mass > 0) || !isfinite(mass)) return bpel_fail(BPEL_EPARSE, "%s:%d: bad mass '%s'", t->path, t->lineno, tok[1]);
    int nrho, nr;
    double drho, dr, cut;
    if ((rc = parse_grid(t, &nrho, &drho, &nr, &dr, &cut))) return rc;
    double *F = bpel_calloc((size_t)nrho + 1, sizeof *F), *Z = bpel_calloc((size_t)nr + 1, sizeof *Z),
           *R = bpel_calloc((size_t)nr + 1, sizeof *R);
    double *fr = NULL, *rr = NULL, *zz = NULL;
    if (!F || !Z || !R) { rc = BPEL_ENOMEM; goto out; }
    if ((rc = read_doubles(t, F + 1, nrho, "F(rho)"))) goto out;
    if ((rc = read_doubles(t, Z + 1, nr, "Z(r)"))) goto out;
    if ((rc = read_doubles(t, R + 1, nr, "rho(r)"))) goto out;
    /* element symbol from the atomic number */
    static const char *sym[] = {"", "H", "He", "Li", "Be", "B", "C", "N", "O", "F", "Ne", "Na", "Mg", "Al", "Si", "P",
                                "S", "Cl", "Ar", "K", "Ca", "Sc", "Ti", "V", "Cr", "Mn", "Fe", "Co", "Ni", "Cu", "Zn",
                                "Ga", "Ge", "As", "Se", "Br", "Kr", "Rb", "Sr", "Y", "Zr", "Nb", "Mo", "Tc", "Ru", "Rh",
                                "Pd", "Ag", "Cd", "In", "Sn", "Sb", "Te", "I", "Xe", "Cs", "Ba", "La", "Ce", "Pr", "Nd",
                                "Pm", "Sm", "Eu", "Gd", "Tb", "Dy", "Ho", "Er", "Tm", "Yb", "Lu", "Hf", "Ta", "W", "Re",
                                "Os", "Ir", "Pt", "Au", "Hg", "Tl", "Pb"};
    p->ne = 1;
    snprintf(p->elem[0], sizeof p->elem[0], "%s", (z > 0 && z < (long)(sizeof sym / sizeof *sym)) ? sym[z] : "X");
    p->mass[0] = mass;
    /* common grid as PairEAM::file2array with one file */
    double rmax = (nr - 1) * dr, rhomax = (nrho - 1) * drho;
    p->dr = dr;
    p->drho = drho;
    p->nr = (int)(rmax / dr + 0.5);
    p->nrho = (int)(rhomax / drho + 0.5);
    p->rhomax = rhomax;
    p->cut = cut;
    if (p->nr < 5 || p->nrho < 5) { rc = bpel_fail(BPEL_EPARSE, "%s: tables too short", t->path); goto out; }
    fr = bpel_calloc((size_t)p->nrho + 1, sizeof *fr);
    rr = bpel_calloc((size_t)p->nr + 1, sizeof *rr);
    zz = bpel_calloc((size_t)p->nr + 1, sizeof *zz);
    if (!fr || !rr || !zz) { rc = BPEL_ENOMEM; goto out; }
    for (int m = 1; m <= p->nrho; m++) fr[m] = resample(F, nrho, drho, (m - 1) * p->drho);
    for (int m = 1; m <= p->nr; m++) {
        double r = (m - 1) * p->dr;
        rr[m] = resample(R, nr, dr, r);
        double zi = resample(Z, nr, dr, r);
        zz[m] = 27.2 * 0.529 * zi * zi;
    }
    if (!(p->frho[0] = make_spline(t, "F(rho)", p->nrho, p->drho, fr)) ||
        !(p->rhor[0][0] = make_spline(t, "rho(r)", p->nr, p->dr, rr)) ||
        !(p->z2r[0][0] = make_spline(t, "Z(r)", p->nr, p->dr, zz)))
        rc = spline_error();
out:
    free(F); free(Z); free(R); free(fr); free(rr); free(zz);
    return rc;
}

static int read_setfl(tokens *t, bpel_eam *p, int fs)
{
    int rc = BPEL_OK;
    for (int k = 0; k < 3; k++)
        if (!read_line(t)) return bpel_fail(BPEL_EPARSE, "%s:%d: file ends inside the 3 comment lines", t->path, t->lineno);
    t->pos = NULL;
    char *tok[MAXEL + 4];
    int n = line_tokens(t, tok, MAXEL + 4, "the element line (Ne El1 El2 ...)");
    if (n < 0) return n;
    char *e;
    long ne = n > 0 ? strtol(tok[0], &e, 10) : 0;
    if (n < 1 || *e || ne < 1) return bpel_fail(BPEL_EPARSE, "%s:%d: expected 'Nelements El1 El2 ...'", t->path, t->lineno);
    if (ne > MAXEL) return bpel_fail(BPEL_ENOTSUP, "%s:%d: %ld elements, at most %d supported", t->path, t->lineno, ne, MAXEL);
    if (n != ne + 1)
        return bpel_fail(BPEL_EPARSE, "%s:%d: says %ld elements but names %d", t->path, t->lineno, ne, n - 1);
    p->ne = (int)ne;
    for (int k = 0; k < p->ne; k++) {
        if (strlen(tok[k + 1]) >= sizeof p->elem[0])
            return bpel_fail(BPEL_EPARSE, "%s:%d: element name '%s' too long", t->path, t->lineno, tok[k + 1]);
        strcpy(p->elem[k], tok[k + 1]);
    }
    int nrho, nr;
    double drho, dr, cut;
    if ((rc = parse_grid(t, &nrho, &drho, &nr, &dr, &cut))) return rc;
    p->nrho = nrho; p->drho = drho; p->nr = nr; p->dr = dr; p->cut = cut;
    p->rhomax = (nrho - 1) * drho;
    double *buf = bpel_calloc((size_t)(nr > nrho ? nr : nrho) + 1, sizeof *buf);
    if (!buf) return BPEL_ENOMEM;
    char what[96];
    for (int a = 0; a < p->ne; a++) {
        if ((rc = parse_element_line(t, &p->mass[a], p->elem[a]))) goto out;
        snprintf(what, sizeof what, "F(rho) of %s", p->elem[a]);
        if ((rc = read_doubles(t, buf + 1, nrho, what))) goto out;
        if (!(p->frho[a] = make_spline(t, what, nrho, drho, buf))) { rc = spline_error(); goto out; }
        for (int b = 0; b < (fs ? p->ne : 1); b++) {
            snprintf(what, sizeof what, "rho(r) of %s%s%s", p->elem[a], fs ? " at " : "", fs ? p->elem[b] : "");
            if ((rc = read_doubles(t, buf + 1, nr, what))) goto out;
            eam_coef *sp = make_spline(t, what, nr, dr, buf);
            if (!sp) { rc = spline_error(); goto out; }
            /* fs: block of element a, array b is the density a contributes at
             * an atom of element b; setfl: one density per element, stored at
             * host 0 and shared below */
            p->rhor[fs ? b : 0][a] = sp;
        }
        /* setfl: one density per element, shared by every host element */
        if (!fs)
            for (int c = 1; c < p->ne; c++) p->rhor[c][a] = p->rhor[0][a];
        /* the element line must start on a fresh line: drop rest of current */
        t->pos = NULL;
    }
    for (int a = 0; a < p->ne; a++)
        for (int b = 0; b <= a; b++) {
            snprintf(what, sizeof what, "r*phi(r) of %s-%s", p->elem[a], p->elem[b]);
            if ((rc = read_doubles(t, buf + 1, nr, what))) goto out;
            if (!(p->z2r[a][b] = make_spline(t, what, nr, dr, buf))) { rc = spline_error(); goto out; }
            p->z2r[b][a] = p->z2r[a][b];
        }
    /* trailing garbage is tolerated by LAMMPS; so here */
out:
    free(buf);
    return rc;
}

int bpel_eam_read(const char *path, const char *style, bpel_eam **out)
{
    *out = NULL;
    eam_style st;
    if (style) {
        if (!strcmp(style, "eam")) st = STYLE_FUNCFL;
        else if (!strcmp(style, "eam/alloy") || !strcmp(style, "setfl")) st = STYLE_SETFL;
        else if (!strcmp(style, "eam/fs") || !strcmp(style, "fs")) st = STYLE_FS;
        else return bpel_fail(BPEL_EINVAL, "unknown EAM style '%s' (eam, eam/alloy, eam/fs)", style);
    } else if (ends_with(path, ".eam.fs") || ends_with(path, ".fs")) st = STYLE_FS;
    else if (ends_with(path, ".eam.alloy") || ends_with(path, ".setfl") || ends_with(path, ".alloy")) st = STYLE_SETFL;
    else if (ends_with(path, ".eam")) st = STYLE_FUNCFL;
    else
        return bpel_fail(BPEL_EINVAL, "%s: cannot tell the EAM format from the name (.eam, .eam.alloy, .eam.fs)", path);
    FILE *fp = fopen(path, "r");
    if (!fp) return bpel_fail(BPEL_EIO, "%s: cannot open: %s", path, strerror(errno));
    bpel_eam *p = bpel_calloc(1, sizeof *p);
    if (!p) { fclose(fp); return BPEL_ENOMEM; }
    p->style = st;
    snprintf(p->path, sizeof p->path, "%s", path);
    tokens t = {fp, path, 0, NULL, 0, NULL};
    int rc = st == STYLE_FUNCFL ? read_funcfl(&t, p) : read_setfl(&t, p, st == STYLE_FS);
    free(t.line);
    fclose(fp);
    if (rc) {
        bpel_eam_destroy(p);
        return rc;
    }
    *out = p;
    return BPEL_OK;
}

void bpel_eam_destroy(bpel_eam *p)
{
    if (!p) return;
    for (int a = 0; a < MAXEL; a++) {
        free(p->frho[a]);
        for (int b = 0; b < MAXEL; b++) {
            /* rhor may be shared (setfl); free each distinct pointer once */
            eam_coef *r = p->rhor[a][b];
            if (r) {
                for (int c = a; c < MAXEL; c++)
                    for (int d = (c == a ? b : 0); d < MAXEL; d++)
                        if (p->rhor[c][d] == r) p->rhor[c][d] = NULL;
                free(r);
            }
            if (b <= a) free(p->z2r[a][b]);
        }
    }
    free(p);
}

int bpel_eam_nelements(const bpel_eam *p) { return p->ne; }
const char *bpel_eam_element(const bpel_eam *p, int k) { return p->elem[k]; }
double bpel_eam_element_mass(const bpel_eam *p, int k) { return p->mass[k]; }
double bpel_eam_cutoff(const bpel_eam *p) { return p->cut; }
const char *bpel_eam_path(const bpel_eam *p) { return p->path; }

int bpel_eam_map_types(const bpel_eam *p, bpel_system *s, const char *elements, int map[BPEL_MAX_TYPES + 1])
{
    if (elements && *elements) {
        int rc = bpel_system_set_elements(s, elements);
        if (rc) return rc;
    }
    for (int t = 1; t <= s->ntypes; t++) {
        if (!s->element[t][0]) {
            if (p->style == STYLE_FUNCFL) {
                strcpy(s->element[t], p->elem[0]);
            } else {
                if (t > p->ne)
                    return bpel_fail(BPEL_EINVAL,
                                     "%s has %d atom types but %s has %d elements: say which element each type is with --elements",
                                     s->source, s->ntypes, p->path, p->ne);
                strcpy(s->element[t], p->elem[t - 1]);
            }
        }
        int found = -1;
        for (int k = 0; k < p->ne; k++)
            if (!strcmp(s->element[t], p->elem[k])) found = k;
        int matched = found >= 0; /* by name: its mass must be the element's */
        if (found < 0 && p->style == STYLE_FUNCFL) found = 0; /* funcfl: every type uses the one file */
        if (found < 0) {
            char have[256] = "";
            for (int k = 0; k < p->ne; k++) {
                strncat(have, p->elem[k], sizeof have - strlen(have) - 2);
                if (k + 1 < p->ne) strncat(have, ",", sizeof have - strlen(have) - 1);
            }
            return bpel_fail(BPEL_EINVAL, "unknown element '%s' for atom type %d: %s has only %s", s->element[t], t,
                             p->path, have);
        }
        map[t] = found;
        if (!(s->mass[t] > 0)) s->mass[t] = p->mass[found];
        else if (matched && p->mass[found] > 0 && fabs(s->mass[t] / p->mass[found] - 1) > EAM_MASS_TOLERANCE)
            return bpel_fail(BPEL_EINVAL,
                             "atom type %d has mass %g amu in %s but is mapped to %s, whose mass is %g amu in %s: wrong "
                             "--elements or potential? (masses must agree within %g %%)",
                             t, s->mass[t], s->source, p->elem[found], p->mass[found], p->path,
                             100 * EAM_MASS_TOLERANCE);
    }
    return BPEL_OK;
}

void bpel_eam_bind_tables(const bpel_eam *p, const int *map, int ntypes, eam_tables *t)
{
    memset(t, 0, sizeof *t);
    t->ntypes = ntypes;
    t->nr = p->nr;
    t->nrho = p->nrho;
    t->dr = p->dr;
    t->drho = p->drho;
    t->rdr = 1.0 / p->dr;
    t->rdrho = 1.0 / p->drho;
    t->cut = p->cut;
    t->cutsq = p->cut * p->cut;
    t->rhomax = p->rhomax;
    for (int i = 1; i <= ntypes; i++) {
        t->frho[i] = (const eam_coef *)p->frho[map[i]];
        for (int j = 1; j <= ntypes; j++) {
            t->rhor[i][j] = (const eam_coef *)p->rhor[map[i]][map[j]];
            t->z2r[i][j] = (const eam_coef *)p->z2r[map[i]][map[j]];
        }
    }
}
