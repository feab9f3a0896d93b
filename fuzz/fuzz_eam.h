/* fuzz_eam.h — one body for the three EAM fuzz targets (funcfl, setfl, fs).
 * An accepted potential has a finite positive cutoff inside its own r
 * table, positive masses, and tables that give finite values and
 * derivatives everywhere a force kernel looks them up. */
#ifndef BPEL_FUZZ_EAM_H
#define BPEL_FUZZ_EAM_H

#include "fuzz_common.h"

#include "eam.h"
#include "eam_tables.h"

static inline int fuzz_eam(const uint8_t *data, size_t size, const char *style)
{
    char path[64];
    int fd = fuzz_file(data, size, path);
    if (fd < 0) return 0;
    bpel_eam *p = NULL;
    if (bpel_eam_read(path, style, &p) == 0) {
        int ne = bpel_eam_nelements(p);
        FUZZ_CHECK(ne >= 1 && ne <= BPEL_MAX_TYPES);
        double cut = bpel_eam_cutoff(p);
        FUZZ_CHECK(isfinite(cut) && cut > 0);
        for (int k = 0; k < ne; k++) FUZZ_CHECK(isfinite(bpel_eam_element_mass(p, k)) && bpel_eam_element_mass(p, k) > 0);
        int map[BPEL_MAX_TYPES + 1] = {0};
        for (int t = 1; t <= ne; t++) map[t] = t - 1;
        eam_tables t;
        bpel_eam_bind_tables(p, map, ne, &t);
        FUZZ_CHECK(t.nr >= 2 && t.nrho >= 2);
        FUZZ_CHECK(isfinite(t.dr) && isfinite(t.drho) && isfinite(t.rhomax));
        FUZZ_CHECK(isfinite(t.rdr) && isfinite(t.rdrho));
        /* the cutoff lies inside the r table, or at most one step beyond its
         * last point (as in LAMMPS's own files) */
        FUZZ_CHECK(cut * t.rdr <= (double)t.nr + 1.0 + 1e-6);
        for (int i = 1; i <= ne; i++) {
            for (int m = 0; m <= 64; m++) {
                double rho = 2.0 * t.rhomax * m / 64.0, F, Fp, Fpp;
                eam_embed(&t, i, rho, &F, &Fp, &Fpp);
                FUZZ_CHECK(isfinite(F) && isfinite(Fp) && isfinite(Fpp));
            }
            for (int j = 1; j <= ne; j++)
                for (int m = 1; m <= 64; m++) {
                    double r = cut * m / 64.0, q;
                    const double *c = eam_r_interval(&t, t.rhor[i][j], r, &q);
                    FUZZ_CHECK(isfinite(eam_val(c, q)) && isfinite(eam_d1(c, q)));
                    c = eam_r_interval(&t, t.z2r[i][j], r, &q);
                    FUZZ_CHECK(isfinite(eam_val(c, q)) && isfinite(eam_d1(c, q)));
                }
        }
    }
    bpel_eam_destroy(p);
    close(fd);
    return 0;
}

#endif
