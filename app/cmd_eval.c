/* cmd_eval.c — `bpel eval`: energy, pressure, stress and per-atom forces of a configuration. */
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "error.h"
#include "outfile.h"
#include "forces.h"

const char cmd_eval_summary[] = "energy, pressure, stress and forces of a configuration (as LAMMPS would print)";

static void help(void)
{
    printf("usage: bpel eval DATA [--potential FILE] [--elements E1,E2] [--dump OUT] [--xyz OUT] [--json] [--reference]\n\n"
           "Evaluates the EAM energy (eV), pressure (bar) and the six pressure-tensor components\n"
           "pxx pyy pzz pxy pxz pyz (bar, LAMMPS convention, kinetic term included when the data file\n"
           "has Velocities) of the configuration in the LAMMPS data file DATA.\n\n"
           "  --potential FILE   EAM file (.eam funcfl, .eam.alloy setfl, .eam.fs); default %s\n"
           "  --elements LIST    element of each atom type, e.g. Cu,Zr (default: the potential's order)\n"
           "  --dump OUT         LAMMPS text dump with columns id type x y z fx fy fz pe, sorted by id\n"
           "  --xyz OUT          extended XYZ with forces and per-atom energy (OVITO, ASE)\n"
           "  --json             print a JSON object {natoms, energy, pressure, stress, ...}\n"
           "  --reference        use the reference kernel instead of the fast one\n",
           BPEL_DEFAULT_POTENTIAL);
}

int cmd_eval(int argc, char **argv)
{
    const char *pot = NULL, *elements = NULL, *dump = NULL, *xyz = NULL;
    int json = 0, ref = 0;
    const cli_opt opts[] = {{CLI_OPT("potential", 'p', CLI_STRING, &pot)}, {CLI_OPT("elements", 'e', CLI_STRING, &elements)},
                            {CLI_OPT("dump", 'd', CLI_STRING, &dump)},     {CLI_OPT("xyz", 'x', CLI_STRING, &xyz)},
                            {CLI_OPT("json", 'j', CLI_FLAG, &json)},       {CLI_OPT("reference", 'r', CLI_FLAG, &ref)},
                            {0}};
    const cli_spec spec = {.cmd = "eval", .opts = opts, .help = help};
    cli_operands ops;
    int rc = cli_parse(&spec, argc, argv, &ops);
    if (rc) return cli_exit(rc);
    if (ops.n != 1) return cli_usage_error("eval", "expected one data file");
    cli_setup cs;
    if (cli_load(ops.v[0], pot, elements, &cs)) return cli_error();
    bpel_forces *ff;
    if (bpel_forces_create(cs.model, cs.sys, 1.0, &ff)) { cli_setup_free(&cs); return cli_error(); }
    bpel_eval ev;
    rc = bpel_forces_compute(ff, cs.sys, FORCES_ENERGY | FORCES_VIRIAL | FORCES_PERATOM | (ref ? FORCES_REFERENCE : 0), &ev);
    if (rc) { bpel_forces_destroy(ff); cli_setup_free(&cs); return cli_error(); }
    double stress[6];
    double press = bpel_forces_stress(cs.sys, ev.virial, stress);
    bpel_system *s = cs.sys;
    if (json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "natoms", (double)s->n);
        cJSON_AddNumberToObject(o, "energy", ev.energy);
        cJSON_AddNumberToObject(o, "energy_per_atom", ev.energy / s->n);
        cJSON_AddNumberToObject(o, "pressure", press);
        cJSON_AddItemToObject(o, "stress", cJSON_CreateDoubleArray(stress, 6));
        cJSON_AddNumberToObject(o, "volume", bpel_box_volume(&s->box));
        cJSON_AddStringToObject(o, "potential", cs.potential_path);
        cJSON *els = cJSON_AddArrayToObject(o, "elements");
        for (int t = 1; t <= s->ntypes; t++) cJSON_AddItemToArray(els, cJSON_CreateString(s->element[t]));
        cJSON_AddStringToObject(o, "units", "metal: energy eV, pressure and stress bar (pxx pyy pzz pxy pxz pyz)");
        cJSON_AddStringToObject(o, "provenance", cli_provenance());
        rc = cli_print_json(o, 0);
    } else {
        printf("# %s\n", cli_provenance());
        printf("atoms      %zu\n", s->n);
        printf("energy     %.12f eV  (%.12f eV/atom)\n", ev.energy, ev.energy / s->n);
        printf("pressure   %.10g bar\n", press);
        printf("stress     pxx %.10g pyy %.10g pzz %.10g pxy %.10g pxz %.10g pyz %.10g bar\n", stress[0], stress[1],
               stress[2], stress[3], stress[4], stress[5]);
        printf("volume     %.10g A^3\n", bpel_box_volume(&s->box));
    }
    bpel_column cols[] = {{"id", NULL, 0, 0},     {"type", NULL, 0, 0},   {"x", NULL, 0, 0},
                          {"y", NULL, 0, 0},      {"z", NULL, 0, 0},      {"fx", ev.f, 3, 0},
                          {"fy", ev.f, 3, 1},     {"fz", ev.f, 3, 2},     {"pe", ev.pe, 1, 0}};
    if (!rc && dump) {
        bpel_out o;
        FILE *fp = bpel_out_fopen(&o, dump);
        if (!fp) rc = BPEL_EIO;
        else rc = bpel_out_finish(&o, bpel_dump_write_frame(fp, s, 0, 9, cols));
    }
    if (!rc && xyz) {
        bpel_out o;
        FILE *fp = bpel_out_fopen(&o, xyz);
        if (!fp) rc = BPEL_EIO;
        else {
            bpel_column xc[] = {{"fx", ev.f, 3, 0}, {"fy", ev.f, 3, 1}, {"fz", ev.f, 3, 2}, {"pe", ev.pe, 1, 0}};
            rc = bpel_out_finish(&o, bpel_xyz_write_frame(fp, s, 4, xc, "bpel eval"));
        }
    }
    bpel_forces_destroy(ff);
    cli_setup_free(&cs);
    return rc ? cli_error() : 0;
}
