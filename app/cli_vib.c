/* cli_vib.c — see cli_vib.h. */
#include "cli_vib.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "eigen.h"
#include "vdos.h"

int cli_vib_solver(const cli_spec *s, const cli_opt *o, const char *value)
{
    if (!bpel_eig_backend_find(value) && strcmp(value, VIB_SPARSE_SOLVER) && strcmp(value, VIB_BLOCK_SOLVER))
        return cli_usage_error(s->cmd, "unknown solver '%s' (known: %s, %s, %s)", value, bpel_eig_backend_names(),
                               VIB_BLOCK_SOLVER, VIB_SPARSE_SOLVER);
    *(const char **)o->dest = value;
    return 0;
}

void cli_vib_warn_window(const char *cmd, const vib_analysis *a)
{
    if (!a->window_clipped) return;
    const vib_vdos *d = a->vdos;
    vdos_params vp = {d->width, d->sigma, d->bp_lo, d->bp_hi, 0};
    /* the --max-omega whose complete bins reach the default top (inverse of bpel_vib_window_top) */
    double need = a->window_hi_default + (a->window_omega_top - bpel_vib_window_top(a->window_omega_top, &vp));
    fprintf(stderr,
            "bpel %s: warning: the default boson-peak window's top %.4g rad/ps lies above the computed modes "
            "(omega <= %.4g rad/ps, --max-omega): clipped to %.4g rad/ps, so I_BP and the peak come from %.4g-%.4g "
            "rad/ps; --max-omega %.4g or more keeps the default window\n",
            cmd, a->window_hi_default, a->window_omega_top, d->bp_hi, d->bp_lo, d->bp_hi, need);
}
