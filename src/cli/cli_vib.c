/* cli_vib.c — see cli_vib.h. */
#include "cli_vib.h"

#include <stdio.h>
#include <math.h>
#include <string.h>

#include "cli.h"
#include "eigen.h"
#include "vdos.h"

int cli_vib_option(const char *cmd, int c, const char *arg, vib_options *o)
{
    double x;
    switch (c) {
    case 'b':
        if (cli_parse_double(arg, &x) || !(x > 0)) return cli_usage_error(cmd, "--bin-width needs a positive number");
        o->vdos.bin_width = x;
        return 1;
    case 's':
        if (cli_parse_double(arg, &x) || x < 0) return cli_usage_error(cmd, "--broadening needs a number >= 0");
        o->vdos.sigma = x;
        return 1;
    case 'w': {
        char buf[128], *sep;
        snprintf(buf, sizeof buf, "%s", arg);
        if (!(sep = strchr(buf, ':')) || (*sep = '\0', cli_parse_double(buf, &o->vdos.bp_lo)) ||
            cli_parse_double(sep + 1, &o->vdos.bp_hi) || !(o->vdos.bp_lo > 0) || !(o->vdos.bp_hi > o->vdos.bp_lo))
            return cli_usage_error(cmd, "--bp-window needs LO:HI with 0 < LO < HI (rad/ps)");
        return 1;
    }
    case 'M':
        if (!strcmp(arg, "inf")) x = INFINITY;
        else if (cli_parse_double(arg, &x) || !(x > 0))
            return cli_usage_error(cmd, "--max-initial-force needs a positive number (eV/Å) or inf");
        o->max_initial_force = x;
        return 1;
    case 'W':
        if (cli_parse_double(arg, &x) || !(x > 0)) return cli_usage_error(cmd, "--max-omega needs a positive number (rad/ps)");
        o->modes.max_omega = x;
        return 1;
    case 'S':
        if (!eig_backend_find(arg) && strcmp(arg, VIB_SPARSE_SOLVER))
            return cli_usage_error(cmd, "unknown solver '%s' (known: %s, %s)", arg, eig_backend_names(), VIB_SPARSE_SOLVER);
        o->modes.solver = arg;
        return 1;
    default:
        return 0;
    }
}

void cli_vib_warn_window(const char *cmd, const vib_analysis *a)
{
    if (!a->window_clipped) return;
    const vib_vdos *d = a->vdos;
    vdos_params vp = {d->width, d->sigma, d->bp_lo, d->bp_hi, 0};
    /* the --max-omega whose complete bins reach the default top (inverse of vib_window_top) */
    double need = a->window_hi_default + (a->window_omega_top - vib_window_top(a->window_omega_top, &vp));
    fprintf(stderr,
            "bpel %s: warning: the default boson-peak window's top %.4g rad/ps lies above the computed modes "
            "(omega <= %.4g rad/ps, --max-omega): clipped to %.4g rad/ps, so I_BP and the peak come from %.4g-%.4g "
            "rad/ps; --max-omega %.4g or more keeps the default window\n",
            cmd, a->window_hi_default, a->window_omega_top, d->bp_hi, d->bp_lo, d->bp_hi, need);
}
