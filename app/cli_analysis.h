/* cli_analysis.h — small helpers shared by the analysis subcommands
 * (correlate, rdf, pmf): species names. */
#ifndef BPEL_CLI_ANALYSIS_H
#define BPEL_CLI_ANALYSIS_H

#include <stddef.h>
#include "structure.h"

/* Types without an element get the element whose standard mass is within
 * 0.05 amu of the type's mass (common metallic-glass elements), so that
 * bpel_system_type_name names them by it. */
void cli_guess_elements(bpel_system *s);

#endif
