/* table.c — reading, joining and writing per-atom CSV tables.
 *
 * Fields are kept as text after reading and converted on demand, so that a
 * table may hold text columns and every numeric error can name the file,
 * the line and the column that is wrong. */
#include "table.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "outfile.h"

static char *trim(char *s)
{
    while (*s && isspace((unsigned char)*s)) s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1])) *--e = 0;
    return s;
}

static char *dup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = bpel_malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

/* Split a line at commas into trimmed fields (in place). Returns the count. */
static size_t split(char *line, char ***fields, size_t *cap)
{
    size_t n = 0;
    char *p = line;
    for (;;) {
        char *c = strchr(p, ',');
        if (c) *c = 0;
        if (n == *cap) {
            size_t nc = *cap ? 2 * *cap : 16;
            char **nf = realloc(*fields, nc * sizeof *nf);
            if (!nf) return (size_t)-1;
            *fields = nf;
            *cap = nc;
        }
        (*fields)[n++] = trim(p);
        if (!c) break;
        p = c + 1;
    }
    return n;
}

void bpel_tbl_destroy(tbl_table *t)
{
    if (!t) return;
    if (t->names)
        for (size_t k = 0; k < t->ncols; k++) free(t->names[k]);
    if (t->cells)
        for (size_t k = 0; k < t->nrows * t->ncols; k++) free(t->cells[k]);
    free(t->names);
    free(t->cells);
    free(t->line);
    free(t->id);
    free(t);
}

static int parse_id(const char *s, int64_t *v)
{
    if (!*s) return -1;
    char *end;
    errno = 0;
    long long x = strtoll(s, &end, 10);
    if (errno || *end) return -1;
    *v = x;
    return 0;
}

typedef struct id_row {
    int64_t id;
    size_t row;
} id_row;

static int cmp_id_row(const void *a, const void *b)
{
    const id_row *x = a, *y = b;
    if (x->id != y->id) return x->id < y->id ? -1 : 1;
    return x->row < y->row ? -1 : x->row > y->row;
}

int bpel_tbl_read(const char *path, tbl_table **out)
{
    *out = NULL;
    FILE *fp = fopen(path, "r");
    if (!fp) return bpel_fail(BPEL_EIO, "%s: cannot open: %s", path, strerror(errno));
    tbl_table *t = bpel_calloc(1, sizeof *t);
    if (!t) {
        fclose(fp);
        return BPEL_ENOMEM;
    }
    snprintf(t->path, sizeof t->path, "%s", path);
    t->id_col = -1;
    char *buf = NULL;
    size_t bufcap = 0, fcap = 0, rowcap = 0;
    char **f = NULL;
    ssize_t len;
    int lineno = 0, rc = BPEL_OK;
    while ((len = getline(&buf, &bufcap, fp)) >= 0) {
        lineno++;
        char *s = buf;
        if (lineno == 1 && !strncmp(s, "\xEF\xBB\xBF", 3)) s += 3; /* UTF-8 byte-order mark (spreadsheet export) */
        s = trim(s);
        if (!*s || *s == '#') continue;
        size_t nf = split(s, &f, &fcap);
        if (nf == (size_t)-1) {
            rc = bpel_fail(BPEL_ENOMEM, "%s: out of memory", path);
            goto done;
        }
        if (!t->names) { /* header */
            t->ncols = nf;
            t->names = bpel_calloc(nf, sizeof *t->names);
            if (!t->names) {
                rc = BPEL_ENOMEM;
                goto done;
            }
            for (size_t k = 0; k < nf; k++) {
                if (!*f[k]) {
                    rc = bpel_fail(BPEL_EPARSE, "%s:%d: header: column %zu has no name", path, lineno, k + 1);
                    goto done;
                }
                char *endp;
                strtod(f[k], &endp);
                if (*endp == 0) {
                    rc = bpel_fail(BPEL_EPARSE, "%s:%d: header expected, found a number '%s' (the first line "
                                                "must name the columns)", path, lineno, f[k]);
                    goto done;
                }
                for (size_t j = 0; j < k; j++)
                    if (!strcmp(t->names[j], f[k])) {
                        rc = bpel_fail(BPEL_EPARSE, "%s:%d: header: column '%s' appears twice", path, lineno, f[k]);
                        goto done;
                    }
                if (!(t->names[k] = dup(f[k]))) {
                    rc = BPEL_ENOMEM;
                    goto done;
                }
                if (!strcmp(f[k], "id")) t->id_col = (int)k;
            }
            continue;
        }
        if (nf != t->ncols) {
            rc = bpel_fail(BPEL_EPARSE, "%s:%d: %zu fields, the header has %zu", path, lineno, nf, t->ncols);
            goto done;
        }
        if (t->nrows == rowcap) {
            size_t nc = rowcap ? 2 * rowcap : 1024;
            char **ncells = bpel_realloc(t->cells, nc * t->ncols * sizeof *ncells);
            if (!ncells) {
                rc = BPEL_ENOMEM;
                goto done;
            }
            t->cells = ncells;
            int *nl = bpel_realloc(t->line, nc * sizeof *nl);
            if (!nl) {
                rc = BPEL_ENOMEM;
                goto done;
            }
            t->line = nl;
            rowcap = nc;
        }
        for (size_t k = 0; k < nf; k++) {
            t->cells[t->nrows * t->ncols + k] = dup(f[k]);
            if (!t->cells[t->nrows * t->ncols + k]) {
                for (size_t j = 0; j < k; j++) free(t->cells[t->nrows * t->ncols + j]);
                rc = BPEL_ENOMEM;
                goto done;
            }
        }
        t->line[t->nrows++] = lineno;
    }
    if (ferror(fp)) {
        rc = bpel_fail(BPEL_EIO, "%s: read error", path);
        goto done;
    }
    if (!t->names) {
        rc = bpel_fail(BPEL_EPARSE, "%s: empty file (no header line)", path);
        goto done;
    }
    if (t->id_col >= 0) {
        t->id = bpel_malloc((t->nrows ? t->nrows : 1) * sizeof *t->id);
        id_row *ord = bpel_malloc((t->nrows ? t->nrows : 1) * sizeof *ord);
        if (!t->id || !ord) {
            free(ord);
            rc = BPEL_ENOMEM;
            goto done;
        }
        for (size_t r = 0; r < t->nrows; r++) {
            const char *c = t->cells[r * t->ncols + t->id_col];
            if (parse_id(c, &t->id[r])) {
                free(ord);
                rc = bpel_fail(BPEL_EPARSE, "%s:%d: id '%s' is not an integer", path, t->line[r], c);
                goto done;
            }
            ord[r].id = t->id[r];
            ord[r].row = r;
        }
        qsort(ord, t->nrows, sizeof *ord, cmp_id_row);
        for (size_t r = 1; r < t->nrows; r++)
            if (ord[r].id == ord[r - 1].id) {
                size_t a = ord[r - 1].row, b = ord[r].row;
                rc = bpel_fail(BPEL_EPARSE, "%s:%d: duplicate id %lld (first on line %d)", path, t->line[b],
                               (long long)t->id[b], t->line[a]);
                free(ord);
                goto done;
            }
        free(ord);
    }
done:
    free(buf);
    free(f);
    fclose(fp);
    if (rc) {
        bpel_tbl_destroy(t);
        return rc;
    }
    *out = t;
    return BPEL_OK;
}

int bpel_tbl_find_column(const tbl_table *t, const char *name)
{
    for (size_t k = 0; k < t->ncols; k++)
        if (!strcmp(t->names[k], name)) return (int)k;
    return -1;
}

static int missing_column(const tbl_table *t, const char *name)
{
    char list[600] = "";
    size_t used = 0;
    for (size_t k = 0; k < t->ncols && used + 1 < sizeof list; k++)
        used += snprintf(list + used, sizeof list - used, "%s%s", k ? ", " : "", t->names[k]);
    return bpel_fail(BPEL_EINVAL, "%s: no column '%s' (columns: %s)", t->path, name, list);
}

static int cell_value(const tbl_table *t, size_t r, int c, double *v)
{
    const char *s = t->cells[r * t->ncols + c];
    char *end;
    errno = 0;
    double x = strtod(s, &end);
    if (!*s || *end)
        return bpel_fail(BPEL_EPARSE, "%s:%d: column '%s': '%s' is not a number", t->path, t->line[r],
                         t->names[c], s);
    if (!isfinite(x))
        return bpel_fail(BPEL_EINVAL, "%s:%d: column '%s': value '%s' is not finite", t->path, t->line[r],
                         t->names[c], s);
    *v = x;
    return BPEL_OK;
}

int bpel_tbl_column(const tbl_table *t, const char *name, double *out)
{
    int c = bpel_tbl_find_column(t, name);
    if (c < 0) return missing_column(t, name);
    for (size_t r = 0; r < t->nrows; r++) {
        int rc = cell_value(t, r, c, &out[r]);
        if (rc) return rc;
    }
    return BPEL_OK;
}

int bpel_tbl_join(const tbl_table *t, const char *column, const bpel_system *s, int allow_missing, double *out,
             size_t *nmissing)
{
    if (nmissing) *nmissing = 0;
    if (t->id_col < 0) return bpel_fail(BPEL_EINVAL, "%s: no 'id' column to match atoms by", t->path);
    int c = bpel_tbl_find_column(t, column);
    if (c < 0) return missing_column(t, column);
    size_t *order = bpel_system_id_order(s);
    char *seen = bpel_calloc(s->n ? s->n : 1, 1);
    if (!order || !seen) {
        free(order);
        free(seen);
        return BPEL_ENOMEM;
    }
    int rc = BPEL_OK;
    for (size_t i = 0; i < s->n; i++) out[i] = NAN;
    for (size_t r = 0; r < t->nrows; r++) {
        long i = bpel_system_find_id(s, order, t->id[r]);
        if (i < 0) {
            rc = bpel_fail(BPEL_EINVAL, "%s:%d: id %lld is not an atom of %s", t->path, t->line[r],
                           (long long)t->id[r], s->source[0] ? s->source : "the configuration");
            goto out;
        }
        if (allow_missing) { /* a "nan" entry marks a missing value, e.g. no converged saddle search */
            const char *txt = t->cells[r * t->ncols + c];
            char *end;
            double v = strtod(txt, &end);
            if (*txt && !*end && isnan(v)) continue;
        }
        if ((rc = cell_value(t, r, c, &out[i]))) goto out;
        seen[i] = 1;
    }
    size_t miss = 0;
    long first = -1;
    for (size_t i = 0; i < s->n; i++)
        if (!seen[i]) {
            if (first < 0 || s->id[i] < s->id[first]) first = (long)i;
            miss++;
        }
    if (miss && !allow_missing) {
        rc = bpel_fail(BPEL_EINVAL, "%s: %zu atoms of %s are missing from the table (e.g. id %lld)", t->path, miss,
                       s->source[0] ? s->source : "the configuration", (long long)s->id[first]);
        goto out;
    }
    if (nmissing) *nmissing = miss;
out:
    free(order);
    free(seen);
    return rc;
}

int bpel_tbl_parse_spec(const char *spec, char *path, size_t path_len, char *column, size_t col_len, int *inv)
{
    size_t n = strlen(spec);
    *inv = 0;
    if (n >= 4 && !strcmp(spec + n - 4, ":inv")) {
        *inv = 1;
        n -= 4;
    }
    const char *colon = NULL;
    for (size_t k = 0; k < n; k++)
        if (spec[k] == ':') colon = spec + k;
    size_t plen = colon ? (size_t)(colon - spec) : 0;
    const char *col = colon ? colon + 1 : spec;
    size_t clen = n - (size_t)(col - spec);
    if (clen == 0) return bpel_fail(BPEL_EINVAL, "'%s': no column name (expected FILE.csv:COLUMN[:inv])", spec);
    if (plen >= path_len || clen >= col_len) return bpel_fail(BPEL_EINVAL, "'%s': too long", spec);
    memcpy(path, spec, plen);
    path[plen] = 0;
    memcpy(column, col, clen);
    column[clen] = 0;
    return BPEL_OK;
}

int bpel_tbl_write(const char *path, size_t n, const int64_t *id, int ncol, const char *const *names,
              const double *const *cols)
{
    bpel_out o;
    int rc = bpel_out_open(&o, path);
    if (rc) return rc;
    FILE *fp = o.fp;
    fputs("id", fp);
    for (int k = 0; k < ncol; k++) fprintf(fp, ",%s", names[k]);
    fputc('\n', fp);
    for (size_t i = 0; i < n; i++) {
        fprintf(fp, "%lld", (long long)id[i]);
        for (int k = 0; k < ncol; k++) {
            double v = cols[k][i];
            if (isnan(v))
                fputs(",nan", fp);
            else
                fprintf(fp, ",%.10g", v);
        }
        fputc('\n', fp);
    }
    return bpel_out_close(&o);
}
