/* cmd_vdos.c — `bpel vdos`: VDOS and reduced VDOS of several inherent structures (paper Fig. 9). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "cli_vib.h"
#include "error.h"
#include "outfile.h"
#include "units.h"
#include "vib_figures.h"
#include "vibrations.h"

const char cmd_vdos_summary[] = "VDOS and reduced VDOS of several inherent structures, e.g. a temperature series (Fig. 9)";

static void help(void)
{
    printf("usage: bpel vdos LABEL:DATA|LABEL:MODESDIR [...] --out DIR [options]\n\n"
           "Runs the analysis of `bpel modes` on each inherent structure (e.g. 300K:is_300.data\n"
           "700K:is_700.data, structures minimised from configurations equilibrated at each temperature),\n"
           "or reads the results of an earlier `bpel modes --out MODESDIR` when the path is a directory,\n"
           "and writes DIR/LABEL/ (the files of bpel modes, for data files), DIR/vdos_series.csv (label, omega_radps,\n"
           "nu_THz, g_per_radps, g_over_omega2_per_radps3), DIR/summary.json and fig9_vdos_temperature\n"
           "(.png, .svg) with the Debye level of the first structure.\n\n"
           "  --out DIR            output directory (required)\n"
           "  --potential FILE     EAM file; default %s\n"
           "  --elements LIST      element of each atom type, e.g. Cu,Zr\n"
           "  --bin-width W        bin width in rad/ps (default 0.5)\n"
           "  --broadening S       Gaussian broadening in rad/ps (default 0)\n"
           "  --max-initial-force F  refuse a structure whose max |F_i| exceeds F eV/Å (default 1e-3; inf: no check)\n"
           "  --bp-window LO:HI    boson-peak window in rad/ps (default as in bpel modes, per structure)\n"
           "  --max-omega W        only the modes with omega <= W rad/ps (see bpel modes --help)\n"
           "  --solver NAME        eigensolver: %s, %s, %s\n",
           BPEL_DEFAULT_POTENTIAL, bpel_eig_backend_names(), VIB_BLOCK_SOLVER, VIB_SPARSE_SOLVER);
}

int cmd_vdos(int argc, char **argv)
{
    const char *pot = NULL, *elements = NULL, *out = NULL;
    vib_options o;
    bpel_vib_options_default(&o);
    int worker = 0;
    const cli_opt opts[] = {{CLI_OPT("potential", 'p', CLI_STRING, &pot)},
                            {CLI_OPT("elements", 'e', CLI_STRING, &elements)},
                            {CLI_OPT("out", 'o', CLI_STRING, &out)},
                            CLI_VIB_BIN_WIDTH(&o),
                            CLI_VIB_BROADENING(&o),
                            CLI_VIB_BP_WINDOW(&o),
                            CLI_VIB_MAX_INITIAL_FORCE(&o),
                            CLI_VIB_SOLVER(&o),
                            CLI_VIB_MAX_OMEGA(&o),
                            {0}};
    const cli_spec spec = {.cmd = "vdos", .opts = opts, .help = help};
    cli_operands ops;
    int rc = cli_parse(&spec, argc, argv, &ops);
    if (rc) return cli_exit(rc);
    int ns = ops.n;
    if (ns < 1) return cli_usage_error("vdos", "expected LABEL:DATA arguments");
    if (!out) return cli_usage_error("vdos", "--out DIR is required");
    for (int k = 0; k < ns; k++) {
        const char *a = ops.v[k], *sep = strchr(a, ':');
        if (!sep || sep == a || !sep[1]) return cli_usage_error("vdos", "'%s' is not LABEL:DATA", a);
        for (const char *q = a; q < sep; q++)
            if (*q == '/' || *q == ',' || *q == '"') return cli_usage_error("vdos", "label in '%s' may not contain / , or \"", a);
    }
    if (mkdir(out, 0777) && errno != EEXIST) {
        fprintf(stderr, "bpel: error: %s: cannot create directory: %s\n", out, strerror(errno));
        return 1;
    }
    vib_vdos **vd = calloc((size_t)ns, sizeof *vd);
    char **labels = calloc((size_t)ns, sizeof *labels);
    double debye = 0.0;
    cJSON *summary = cJSON_CreateObject(), *series = cJSON_AddArrayToObject(summary, "structures");
    rc = vd && labels && series ? BPEL_OK : bpel_fail(BPEL_ENOMEM, "vdos: out of memory");
    cJSON_AddStringToObject(summary, "program", "bpel vdos");
    cJSON_AddStringToObject(summary, "provenance", cli_provenance());
    char path[4096];
    snprintf(path, sizeof path, "%s/vdos_series.csv", out);
    bpel_out fo;
    FILE *fp = rc ? NULL : bpel_out_fopen(&fo, path);
    if (!rc && !fp) rc = BPEL_EIO;
    if (fp) fprintf(fp, "label,omega_radps,nu_THz,g_per_radps,g_over_omega2_per_radps3\n");
    for (int k = 0; k < ns && !rc; k++) {
        const char *arg = ops.v[k], *sep = strchr(arg, ':');
        if (!(labels[k] = strndup(arg, (size_t)(sep - arg)))) {
            rc = bpel_fail(BPEL_ENOMEM, "vdos: out of memory");
            break;
        }
        struct stat st;
        if (stat(sep + 1, &st) == 0 && S_ISDIR(st.st_mode)) {
            double lv = 0;
            if ((rc = bpel_vib_vdos_read(sep + 1, &vd[k], &lv))) break;
            if (k == 0) debye = lv;
            for (size_t b = 0; b < vd[k]->nbins; b++) {
                double w = vib_bin_centre(vd[k], b);
                fprintf(fp, "%s,%.6g,%.6g,%.10g,%.10g\n", labels[k], w, w / (2 * BPEL_PI), vd[k]->g[b],
                        w != 0 ? vd[k]->g[b] / (w * w) : 0.0);
            }
            cJSON *e = cJSON_CreateObject();
            cJSON_AddStringToObject(e, "label", labels[k]);
            cJSON_AddStringToObject(e, "modes_directory", sep + 1);
            cJSON_AddNumberToObject(e, "boson_peak_omega_radps", vd[k]->bp_omega);
            cJSON_AddNumberToObject(e, "boson_peak_height_per_radps3", vd[k]->bp_height);
            if (lv > 0) cJSON_AddNumberToObject(e, "debye_level_per_radps3", lv);
            cJSON_AddItemToArray(series, e);
            printf("%s: (from %s) boson peak %.3f rad/ps, g/omega^2 %.4g (rad/ps)^-3\n", labels[k], sep + 1,
                   vd[k]->bp_omega, vd[k]->bp_height);
            continue;
        }
        cli_setup cs;
        if ((rc = cli_load(sep + 1, pot, elements, &cs))) break;
        vib_analysis a;
        rc = bpel_vib_analyse(cs.model, cs.sys, &o, &a);
        if (rc) bpel_fail_context(rc, "%s", sep + 1);
        if (!rc && a.modes->worker) { /* an MPI rank that helped the sparse solver: rank 0 writes */
            worker = 1;
            bpel_vib_analysis_free(&a);
            cli_setup_free(&cs);
            continue;
        }
        if (!rc) cli_vib_warn_window("vdos", &a);
        if (!rc) {
            char dir[4096];
            snprintf(dir, sizeof dir, "%s/%s", out, labels[k]);
            rc = bpel_vib_write(dir, cs.sys, &a, cli_provenance(), sep + 1, NULL);
        }
        if (!rc) {
            vd[k] = a.vdos;
            a.vdos = NULL;
            if (k == 0 && a.have_debye) debye = a.debye.level;
            for (size_t b = 0; b < vd[k]->nbins; b++) {
                double w = vib_bin_centre(vd[k], b);
                fprintf(fp, "%s,%.6g,%.6g,%.10g,%.10g\n", labels[k], w, w / (2 * BPEL_PI), vd[k]->g[b],
                        w != 0 ? vd[k]->g[b] / (w * w) : 0.0);
            }
            cJSON *e = cJSON_CreateObject();
            cJSON_AddStringToObject(e, "label", labels[k]);
            cJSON_AddStringToObject(e, "structure", sep + 1);
            cJSON_AddNumberToObject(e, "natoms", (double)cs.sys->n);
            cJSON_AddNumberToObject(e, "boson_peak_omega_radps", vd[k]->bp_omega);
            cJSON_AddNumberToObject(e, "boson_peak_height_per_radps3", vd[k]->bp_height);
            if (a.have_debye) cJSON_AddNumberToObject(e, "debye_level_per_radps3", a.debye.level);
            cJSON_AddNumberToObject(e, "negative_modes", (double)a.modes->nnegative);
            cJSON_AddItemToArray(series, e);
            printf("%s: %zu atoms, boson peak %.3f rad/ps, g/omega^2 %.4g (rad/ps)^-3%s\n", labels[k], cs.sys->n,
                   vd[k]->bp_omega, vd[k]->bp_height, a.modes->nnegative ? " (WARNING: unstable modes)" : "");
            bpel_vib_analysis_free(&a);
        }
        cli_setup_free(&cs);
    }
    if (fp && (rc || worker)) bpel_out_discard(&fo);
    else if (fp) rc = bpel_out_close(&fo);
    if (worker) rc = -1; /* nothing more to write on this rank */
    if (!rc) {
        cJSON_AddNumberToObject(summary, "debye_level_per_radps3_first", debye);
        cJSON_AddNumberToObject(summary, "bin_width_radps", o.vdos.bin_width);
        cJSON_AddNumberToObject(summary, "broadening_sigma_radps", o.vdos.sigma);
        snprintf(path, sizeof path, "%s/summary.json", out);
        rc = bpel_out_json(path, summary);
    }
    if (!rc) rc = bpel_vib_fig9(out, ns, (const vib_vdos *const *)vd, (const char *const *)labels, debye);
    if (!rc) printf("wrote %s/vdos_series.csv, summary.json, fig9_vdos_temperature.{png,svg} and one folder per structure\n", out);
    cJSON_Delete(summary);
    for (int k = 0; k < ns; k++) {
        if (vd) bpel_vib_vdos_destroy(vd[k]);
        if (labels) free(labels[k]);
    }
    free(vd);
    free(labels);
    if (worker) return 0;
    return rc ? cli_error() : 0;
}
