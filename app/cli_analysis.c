/* cli_analysis.c — helpers shared by the analysis subcommands (see cli_analysis.h). */
#include "cli_analysis.h"

#include <math.h>
#include <stdio.h>
#include <string.h>


void cli_guess_elements(bpel_system *s)
{
    static const char *common[] = {"Cu", "Zr", "Al", "Ni", "Ag", "Ti", "Fe", "Co", "Pd", "Mg", "Au", "Pt", "Ta", "Nb",
                                   "Hf", "La", "Ce", "Y",  "Be", "Si", "B",  "P",  "Ca", "Zn", "Sn", "Cr", "Mo", "W"};
    for (int t = 1; t <= s->ntypes; t++) {
        if (s->element[t][0] || !(s->mass[t] > 0)) continue;
        for (size_t k = 0; k < sizeof common / sizeof *common; k++)
            if (fabs(bpel_element_mass(common[k]) - s->mass[t]) < 0.05) {
                snprintf(s->element[t], sizeof s->element[t], "%s", common[k]);
                break;
            }
    }
}
