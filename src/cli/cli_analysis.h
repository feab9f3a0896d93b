/* cli_analysis.h — small helpers shared by the analysis subcommands
 * (correlate, rdf, pmf): output directories, species names, text files. */
#ifndef BPEL_CLI_ANALYSIS_H
#define BPEL_CLI_ANALYSIS_H

#include <stddef.h>
#include "structure.h"

/* Types without an element get the element whose standard mass is within
 * 0.05 amu of the type's mass (common metallic-glass elements), so that
 * system_type_name names them by it. */
void cli_guess_elements(bpel_system *s);
/* Write a whole string to DIR/NAME (a checked output, outfile.h). */
int cli_write_text(const char *dir, const char *name, const char *text);

#endif
