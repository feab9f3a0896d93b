/* pmf.h — the potential-of-mean-force stage (paper Fig. 10) in one call:
 * w(r) = −k_B T ln g(r) of a configuration for the total g(r) and every
 * partial (rdf.h), the first well of the chosen pair fitted by a parabola
 * w0 + k (r − r0)²/2 over the bins within `halfwidth` of its lowest point and
 * by a quartic over the whole well (bpel_rdf_fit_well), whose derivatives
 * quantify the anharmonicity.
 *
 * Files in DIR (created if missing):
 *   pmf.csv     r_A, g, w_eV, parabola_eV, deviation_eV, w_total_eV, then w of every pair
 *   pmf.json    pair, temperature, the parabola, the well and its derivatives, quality of k
 *   fig10_pmf   (.png, .svg) (a) w(r) with the parabola, (b) the deviation inside the well
 *
 * Species are named by their elements, else "type T" (bpel_system_type_name).
 * Nothing is printed. Errors follow error.h; messages name options as
 * `bpel pmf` does. */
#ifndef BPEL_PMF_H
#define BPEL_PMF_H

#include <stddef.h>

#include "rdf.h"
#include "structure.h"

typedef struct pmf_options {
    double temperature;     /* K in w = −k_B T ln g (10: the paper's inherent structure) */
    const char *pair;       /* "total" (default) or "A-B" of species or types, e.g. Cu-Zr or 1-2 */
    double halfwidth;       /* Å, half-width of the parabola's window (0.1) */
    double rmax, dr;        /* Å, range and bin width of g(r) (10, 0.02) */
    const char *data;       /* name of the configuration in messages and pmf.json (NULL: its source) */
    const char *provenance; /* pmf.json "provenance" (NULL: left out) */
} pmf_options;

typedef struct pmf_result {
    rdf_result rdf;
    int ta, tb;             /* the pair's types; 0, 0: total */
    char pair[80];          /* its name ("total", "Cu-Zr") */
    size_t nbins;
    const double *g;        /* [nbins] the pair's g (inside rdf) */
    double *w;              /* [nbins] its w, eV */
    double *parabola;       /* [nbins] the fitted parabola, eV */
    double *deviation;      /* [nbins] w − parabola, eV */
    double *w_all;          /* [(ntypes² + 1)·nbins] w of the total, then of pair (a, b) at ((a−1)·ntypes + b)·nbins */
    rdf_well well;
} pmf_result;

void bpel_pmf_defaults(pmf_options *o);
int bpel_pmf_run(const bpel_system *s, const pmf_options *o, const char *dir, pmf_result *r);
void bpel_pmf_free(pmf_result *r);

/* Keys of pmf.json that other stages read back (the study's report): the
 * curvature k of the parabola at PMF_KEY_PARABOLA "." PMF_KEY_K, also its key
 * under "quality" (quality.h). */
#define PMF_FILE_JSON "pmf.json"
#define PMF_KEY_PARABOLA "parabola"
#define PMF_KEY_K "k"

#endif
