/* cli_analysis.h — small helpers shared by the analysis subcommands
 * (correlate, rdf, pmf): output directories, species names, text files. */
#ifndef BPEL_CLI_ANALYSIS_H
#define BPEL_CLI_ANALYSIS_H

#include <stddef.h>
#include "structure.h"

/* Name of type t: its element, else the element whose standard mass is
 * within 0.05 amu of the type's mass (common metallic-glass elements), else
 * "type T". Types named this way get the element set in s. */
void cli_guess_elements(bpel_system *s);
const char *cli_type_name(const bpel_system *s, int t, char *buf, size_t n);
/* Write a whole string to DIR/NAME (a checked output, outfile.h). */
int cli_write_text(const char *dir, const char *name, const char *text);

#endif
