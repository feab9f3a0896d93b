/* study_config.c — YAML study descriptions (libyaml document API).
 *
 * Every key is known in advance; an unknown key, a wrong type or an
 * impossible value is an error naming the file and line, so a typo never
 * silently falls back to a default. */
#include "study_config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "eam.h"
#include "error.h"
#include "glass.h"
#include "units.h"
#include "vibrations.h"

void bpel_study_config_defaults(study_config *c)
{
    memset(c, 0, sizeof *c);
    snprintf(c->name, sizeof c->name, "study");
    snprintf(c->potential, sizeof c->potential, "CuZr_mm.eam.fs");
    c->seed = 2022;
    c->threads = 0;
    snprintf(c->compositions[0], sizeof c->compositions[0], "Cu50Zr50");
    c->ncompositions = 1;
    c->atoms = 1000;
    c->rates[0] = 1e13;
    c->nrates = 1;
    c->melt_temperature = 2000;
    c->melt_time = 20;
    c->final_temperature = 1;
    c->hold_time = 0;
    c->do_tg = c->do_modes = c->do_artn = c->do_correlate = c->do_trajectory = c->do_pmf = c->do_gruneisen = 1;
    c->do_temperature_series = 1;
    c->artn_searches = 20;
    snprintf(c->artn_atoms, sizeof c->artn_atoms, "all");
    c->corr_lmax = 10.0;
    c->corr_dl = 0.5;
    c->corr_bootstrap = 200;
    c->traj_temperature = 100;
    c->traj_time = 1;
    c->traj_top = 10; /* the two extremes drawn as the paper's Fig. 8, ten of each for the ratio */
    c->traj_bottom = 10;
    c->pmf_temperature = 10;
    c->gruneisen_relax = 1;
    c->ntemperatures = 0;
    c->series_time = 10;
}

typedef struct {
    yaml_document_t *doc;
    const char *path;
} ctx;

static int line_of(yaml_node_t *n) { return (int)n->start_mark.line + 1; }

static int want_scalar(ctx *x, yaml_node_t *n, const char *key, const char **out)
{
    if (n->type != YAML_SCALAR_NODE)
        return bpel_fail(BPEL_EPARSE, "%s:%d: '%s' must be a single value", x->path, line_of(n), key);
    *out = (const char *)n->data.scalar.value;
    return BPEL_OK;
}

static int get_double(ctx *x, yaml_node_t *n, const char *key, double *v, double lo, double hi)
{
    const char *s = NULL;
    int rc = want_scalar(x, n, key, &s);
    if (rc) return rc;
    char *end;
    errno = 0;
    double d = strtod(s, &end);
    if (end == s || *end || errno || !isfinite(d))
        return bpel_fail(BPEL_EPARSE, "%s:%d: '%s' must be a number, got '%s'", x->path, line_of(n), key, s);
    if (d < lo || d > hi)
        return bpel_fail(BPEL_EINVAL, "%s:%d: '%s' = %g outside [%g, %g]", x->path, line_of(n), key, d, lo, hi);
    *v = d;
    return BPEL_OK;
}

static int get_long(ctx *x, yaml_node_t *n, const char *key, long *v, long lo, long hi)
{
    double d = 0.0;
    int rc = get_double(x, n, key, &d, (double)lo, (double)hi);
    if (rc) return rc;
    if (d != floor(d)) return bpel_fail(BPEL_EPARSE, "%s:%d: '%s' must be an integer", x->path, line_of(n), key);
    *v = (long)d;
    return BPEL_OK;
}

static int get_bool(ctx *x, yaml_node_t *n, const char *key, int *v)
{
    const char *s = NULL;
    int rc = want_scalar(x, n, key, &s);
    if (rc) return rc;
    if (!strcmp(s, "true") || !strcmp(s, "yes") || !strcmp(s, "on")) *v = 1;
    else if (!strcmp(s, "false") || !strcmp(s, "no") || !strcmp(s, "off")) *v = 0;
    else return bpel_fail(BPEL_EPARSE, "%s:%d: '%s' must be true or false, got '%s'", x->path, line_of(n), key, s);
    return BPEL_OK;
}

static int get_string(ctx *x, yaml_node_t *n, const char *key, char *out, size_t size)
{
    const char *s = NULL;
    int rc = want_scalar(x, n, key, &s);
    if (rc) return rc;
    if (strlen(s) >= size) return bpel_fail(BPEL_EINVAL, "%s:%d: '%s' is too long", x->path, line_of(n), key);
    snprintf(out, size, "%s", s);
    return BPEL_OK;
}

/* A list of numbers, or a single number. */
static int get_double_list(ctx *x, yaml_node_t *n, const char *key, double *v, int *count, double lo, double hi)
{
    if (n->type == YAML_SCALAR_NODE) {
        *count = 1;
        return get_double(x, n, key, &v[0], lo, hi);
    }
    if (n->type != YAML_SEQUENCE_NODE)
        return bpel_fail(BPEL_EPARSE, "%s:%d: '%s' must be a list of numbers", x->path, line_of(n), key);
    int k = 0;
    for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
        if (k >= STUDY_MAX_LIST)
            return bpel_fail(BPEL_EINVAL, "%s:%d: '%s' has more than %d entries", x->path, line_of(n), key, STUDY_MAX_LIST);
        int rc = get_double(x, yaml_document_get_node(x->doc, *it), key, &v[k++], lo, hi);
        if (rc) return rc;
    }
    if (k == 0) return bpel_fail(BPEL_EINVAL, "%s:%d: '%s' is an empty list", x->path, line_of(n), key);
    *count = k;
    return BPEL_OK;
}

/* Walk a mapping: for each key call `fn`; unknown keys are errors. */
typedef int (*key_fn)(ctx *x, const char *key, yaml_node_t *val, study_config *c);

static int walk(ctx *x, yaml_node_t *map, const char *where, key_fn fn, study_config *c)
{
    if (map->type != YAML_MAPPING_NODE)
        return bpel_fail(BPEL_EPARSE, "%s:%d: '%s' must be a mapping of keys to values", x->path, line_of(map), where);
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(x->doc, p->key), *v = yaml_document_get_node(x->doc, p->value);
        if (k->type != YAML_SCALAR_NODE)
            return bpel_fail(BPEL_EPARSE, "%s:%d: keys must be plain words", x->path, line_of(k));
        int rc = fn(x, (const char *)k->data.scalar.value, v, c);
        if (rc == 1)
            return bpel_fail(BPEL_EPARSE, "%s:%d: unknown key '%s' in %s (see examples/*.yaml)", x->path, line_of(k),
                             (const char *)k->data.scalar.value, where);
        if (rc) return rc;
    }
    return BPEL_OK;
}

static int enabled_map(ctx *x, yaml_node_t *v, const char *key, int *flag, key_fn fn, study_config *c)
{
    /* `key: false` disables, `key: true` enables with defaults, a mapping sets parameters */
    if (v->type == YAML_SCALAR_NODE) return get_bool(x, v, key, flag);
    *flag = 1;
    return walk(x, v, key, fn, c);
}

static int glass_key(ctx *x, const char *k, yaml_node_t *v, study_config *c)
{
    if (!strcmp(k, "compositions")) {
        if (v->type == YAML_SCALAR_NODE) {
            c->ncompositions = 1;
            return get_string(x, v, k, c->compositions[0], sizeof c->compositions[0]);
        }
        if (v->type != YAML_SEQUENCE_NODE)
            return bpel_fail(BPEL_EPARSE, "%s:%d: 'compositions' must be a list like [Cu50Zr50, Cu64Zr36]", x->path, line_of(v));
        int n = 0;
        for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
            if (n >= STUDY_MAX_LIST) return bpel_fail(BPEL_EINVAL, "%s:%d: too many compositions", x->path, line_of(v));
            int rc = get_string(x, yaml_document_get_node(x->doc, *it), k, c->compositions[n], sizeof c->compositions[n]);
            if (rc) return rc;
            n++;
        }
        if (!n) return bpel_fail(BPEL_EINVAL, "%s:%d: 'compositions' is empty", x->path, line_of(v));
        c->ncompositions = n;
        return BPEL_OK;
    }
    if (!strcmp(k, "atoms")) return get_long(x, v, k, &c->atoms, 2, 100000000);
    if (!strcmp(k, "cooling_rates")) return get_double_list(x, v, k, c->rates, &c->nrates, 1e6, 1e16);
    if (!strcmp(k, "melt_temperature")) return get_double(x, v, k, &c->melt_temperature, 1, 1e5);
    if (!strcmp(k, "melt_time")) return get_double(x, v, k, &c->melt_time, 0, 1e7);
    if (!strcmp(k, "final_temperature")) return get_double(x, v, k, &c->final_temperature, 0.001, 1e5);
    if (!strcmp(k, "hold_time")) return get_double(x, v, k, &c->hold_time, 0, 1e7);
    return 1;
}

/* The value of option `name` in a whitespace-separated option string
 * ("--name V" or "--name=V"), NULL if absent; the last one counts. */
static const char *option_value(const char *opts, const char *name, char *buf, size_t size)
{
    char tmp[512];
    const char *found = NULL;
    snprintf(tmp, sizeof tmp, "%s", opts);
    size_t len = strlen(name);
    for (char *t = strtok(tmp, " \t"); t; t = strtok(NULL, " \t")) {
        if (strncmp(t, name, len)) continue;
        if (t[len] == '=') found = t + len + 1;
        else if (!t[len] && (t = strtok(NULL, " \t"))) found = t;
        else continue;
        snprintf(buf, size, "%s", found);
    }
    return found ? buf : NULL;
}

/* The modes options' boson-peak window against their mode window, so that a
 * window above --max-omega is refused before the glasses are made (bpel
 * modes would refuse it only after the quench). Values that do not parse are
 * left to bpel modes. */
static int check_modes_options(ctx *x, yaml_node_t *v, const char *opts)
{
    char w[128], b[128];
    vib_options o;
    bpel_vib_options_default(&o);
    double f;
    char *end;
    if (option_value(opts, "--max-omega", w, sizeof w) && (f = strtod(w, &end), end != w && !*end)) o.modes.max_omega = f;
    if (option_value(opts, "--max-freq", w, sizeof w) && (f = strtod(w, &end), end != w && !*end))
        o.modes.max_omega = 2 * BPEL_PI * f;
    const char *sep;
    if (option_value(opts, "--bp-window", b, sizeof b) && (sep = strchr(b, ':')) && (f = strtod(sep + 1, &end), end != sep + 1 && !*end))
        o.vdos.bp_hi = f;
    int rc = o.modes.max_omega > 0 ? bpel_vib_options_check(&o) : BPEL_OK;
    return rc ? bpel_fail_context(rc, "%s:%d: modes options '%s'", x->path, line_of(v), opts) : BPEL_OK;
}

static int modes_key(ctx *x, const char *k, yaml_node_t *v, study_config *c)
{
    if (!strcmp(k, "options")) {
        int rc = get_string(x, v, k, c->modes_options, sizeof c->modes_options);
        return rc ? rc : check_modes_options(x, v, c->modes_options);
    }
    return 1;
}
static int artn_key(ctx *x, const char *k, yaml_node_t *v, study_config *c)
{
    if (!strcmp(k, "searches")) return get_long(x, v, k, &c->artn_searches, 1, 100000);
    if (!strcmp(k, "atoms")) return get_string(x, v, k, c->artn_atoms, sizeof c->artn_atoms);
    if (!strcmp(k, "options")) return get_string(x, v, k, c->artn_options, sizeof c->artn_options);
    return 1;
}
static int corr_key(ctx *x, const char *k, yaml_node_t *v, study_config *c)
{
    if (!strcmp(k, "lmax")) return get_double(x, v, k, &c->corr_lmax, 0.1, 100);
    if (!strcmp(k, "dl")) return get_double(x, v, k, &c->corr_dl, 0.01, 10);
    if (!strcmp(k, "bootstrap")) return get_long(x, v, k, &c->corr_bootstrap, 0, 1000000);
    if (!strcmp(k, "options")) return get_string(x, v, k, c->corr_options, sizeof c->corr_options);
    return 1;
}
static int traj_key(ctx *x, const char *k, yaml_node_t *v, study_config *c)
{
    if (!strcmp(k, "temperature")) return get_double(x, v, k, &c->traj_temperature, 0.001, 1e5);
    if (!strcmp(k, "time")) return get_double(x, v, k, &c->traj_time, 0.001, 1e6);
    if (!strcmp(k, "top")) return get_long(x, v, k, &c->traj_top, 0, 1000);
    if (!strcmp(k, "bottom")) return get_long(x, v, k, &c->traj_bottom, 0, 1000);
    return 1;
}
static int pmf_key(ctx *x, const char *k, yaml_node_t *v, study_config *c)
{
    if (!strcmp(k, "temperature")) return get_double(x, v, k, &c->pmf_temperature, 0.001, 1e5);
    return 1;
}
static int grun_key(ctx *x, const char *k, yaml_node_t *v, study_config *c)
{
    if (!strcmp(k, "relax")) return get_bool(x, v, k, &c->gruneisen_relax);
    if (!strcmp(k, "options")) return get_string(x, v, k, c->gruneisen_options, sizeof c->gruneisen_options);
    return 1;
}
static int series_key(ctx *x, const char *k, yaml_node_t *v, study_config *c)
{
    if (!strcmp(k, "temperatures")) return get_double_list(x, v, k, c->temperatures, &c->ntemperatures, 0.001, 1e5);
    if (!strcmp(k, "time")) return get_double(x, v, k, &c->series_time, 0, 1e6);
    return 1;
}
static int tg_key(ctx *x, const char *k, yaml_node_t *v, study_config *c) { (void)x; (void)k; (void)v; (void)c; return 1; }

static int analyses_key(ctx *x, const char *k, yaml_node_t *v, study_config *c)
{
    if (!strcmp(k, "tg")) return enabled_map(x, v, k, &c->do_tg, tg_key, c);
    if (!strcmp(k, "modes")) return enabled_map(x, v, k, &c->do_modes, modes_key, c);
    if (!strcmp(k, "artn")) return enabled_map(x, v, k, &c->do_artn, artn_key, c);
    if (!strcmp(k, "correlate")) return enabled_map(x, v, k, &c->do_correlate, corr_key, c);
    if (!strcmp(k, "trajectory")) return enabled_map(x, v, k, &c->do_trajectory, traj_key, c);
    if (!strcmp(k, "pmf")) return enabled_map(x, v, k, &c->do_pmf, pmf_key, c);
    if (!strcmp(k, "gruneisen")) return enabled_map(x, v, k, &c->do_gruneisen, grun_key, c);
    if (!strcmp(k, "temperature_series")) return enabled_map(x, v, k, &c->do_temperature_series, series_key, c);
    return 1;
}

static int top_key(ctx *x, const char *k, yaml_node_t *v, study_config *c)
{
    if (!strcmp(k, "name")) return get_string(x, v, k, c->name, sizeof c->name);
    if (!strcmp(k, "output")) return get_string(x, v, k, c->output, sizeof c->output);
    if (!strcmp(k, "potential")) return get_string(x, v, k, c->potential, sizeof c->potential);
    if (!strcmp(k, "elements")) return get_string(x, v, k, c->elements, sizeof c->elements);
    if (!strcmp(k, "seed")) return get_long(x, v, k, &c->seed, 0, 2147483647L);
    if (!strcmp(k, "threads")) {
        long t;
        int rc = get_long(x, v, k, &t, 0, 4096);
        c->threads = (int)t;
        return rc;
    }
    if (!strcmp(k, "glass")) return walk(x, v, "glass", glass_key, c);
    if (!strcmp(k, "analyses")) return walk(x, v, "analyses", analyses_key, c);
    return 1;
}

int bpel_study_config_read(const char *path, study_config *c)
{
    bpel_study_config_defaults(c);
    FILE *fp = fopen(path, "rb");
    if (!fp) return bpel_fail(BPEL_EIO, "%s: cannot open: %s", path, strerror(errno));
    yaml_parser_t parser;
    yaml_document_t doc;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_file(&parser, fp);
    int rc = BPEL_OK;
    if (!yaml_parser_load(&parser, &doc)) {
        rc = bpel_fail(BPEL_EPARSE, "%s:%d: YAML error: %s", path, (int)parser.problem_mark.line + 1,
                       parser.problem ? parser.problem : "malformed");
        yaml_parser_delete(&parser);
        fclose(fp);
        return rc;
    }
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (!root) rc = bpel_fail(BPEL_EPARSE, "%s: empty study description", path);
    else {
        ctx x = {&doc, path};
        rc = walk(&x, root, "the study", top_key, c);
    }
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    fclose(fp);
    return rc;
}

int bpel_study_config_check_potential(const char *path, const study_config *c)
{
    char pot[1024];
    int rc = bpel_potential_find(c->potential, pot, sizeof pot);
    if (rc) return bpel_fail_context(rc, "%s: potential", path);
    bpel_eam *p = NULL;
    if ((rc = bpel_eam_read(pot, NULL, &p))) return bpel_fail_context(rc, "%s: potential", path);
    char have[256] = "";
    for (int k = 0; k < bpel_eam_nelements(p); k++)
        snprintf(have + strlen(have), sizeof have - strlen(have), "%s%s", k ? ", " : "", bpel_eam_element(p, k));
    for (int i = 0; i < c->ncompositions && !rc; i++) {
        glass_composition g;
        if ((rc = bpel_glass_parse_composition(c->compositions[i], &g))) {
            bpel_fail_context(rc, "%s: composition '%s'", path, c->compositions[i]);
            break;
        }
        for (int e = 0; e < g.nel && !rc; e++) {
            int found = 0;
            for (int k = 0; k < bpel_eam_nelements(p); k++) found |= !strcmp(g.element[e], bpel_eam_element(p, k));
            if (!found)
                rc = bpel_fail(BPEL_EINVAL, "%s: composition '%s': element %s is not in the potential %s (it has %s)",
                               path, c->compositions[i], g.element[e], pot, have);
        }
    }
    bpel_eam_destroy(p);
    return rc;
}
