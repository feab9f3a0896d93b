/* cli_analysis.c — helpers shared by the analysis subcommands (see cli_analysis.h). */
#include "cli_analysis.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "error.h"

int cli_mkdir_p(const char *dir)
{
    char buf[1024];
    if (snprintf(buf, sizeof buf, "%s", dir) >= (int)sizeof buf) return bpel_fail(BPEL_EINVAL, "%s: path too long", dir);
    for (char *p = buf + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            if (mkdir(buf, 0777) && errno != EEXIST) return bpel_fail(BPEL_EIO, "%s: cannot create: %s", buf, strerror(errno));
            *p = '/';
        }
    if (mkdir(buf, 0777) && errno != EEXIST) return bpel_fail(BPEL_EIO, "%s: cannot create: %s", buf, strerror(errno));
    return BPEL_OK;
}

void cli_guess_elements(bpel_system *s)
{
    static const char *common[] = {"Cu", "Zr", "Al", "Ni", "Ag", "Ti", "Fe", "Co", "Pd", "Mg", "Au", "Pt", "Ta", "Nb",
                                   "Hf", "La", "Ce", "Y",  "Be", "Si", "B",  "P",  "Ca", "Zn", "Sn", "Cr", "Mo", "W"};
    for (int t = 1; t <= s->ntypes; t++) {
        if (s->element[t][0] || !(s->mass[t] > 0)) continue;
        for (size_t k = 0; k < sizeof common / sizeof *common; k++)
            if (fabs(element_mass(common[k]) - s->mass[t]) < 0.05) {
                snprintf(s->element[t], sizeof s->element[t], "%s", common[k]);
                break;
            }
    }
}

const char *cli_type_name(const bpel_system *s, int t, char *buf, size_t n)
{
    if (s->element[t][0])
        snprintf(buf, n, "%s", s->element[t]);
    else
        snprintf(buf, n, "type %d", t);
    return buf;
}

int cli_write_text(const char *dir, const char *name, const char *text)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *fp = fopen(path, "w");
    if (!fp) return bpel_fail(BPEL_EIO, "%s: cannot write: %s", path, strerror(errno));
    fputs(text, fp);
    if (fclose(fp)) return bpel_fail(BPEL_EIO, "%s: write error", path);
    return BPEL_OK;
}
