/* artn_columns.h — names in the files of an ARTn campaign (campaign.h) that
 * other stages read back: the study's merged per-atom table, its check of the
 * connected saddles and its report.
 *
 * Written by campaign.c; per-atom columns of atoms.csv, and keys of summary.json (each also its key
 * under "quality", quality.h). */
#ifndef BPEL_ARTN_COLUMNS_H
#define BPEL_ARTN_COLUMNS_H

#define ARTN_FILE_ATOMS "atoms.csv"
#define ARTN_FILE_SUMMARY "summary.json"

/* atoms.csv */
#define ARTN_COL_DQ "dq_mean_eV"                /* mean ΔQ over the atom's accepted saddles */
#define ARTN_COL_DQ_STD "dq_std_eV"             /* their standard deviation */
#define ARTN_COL_DQ_CONNECTED "dq_connected_mean_eV" /* mean over the saddles connected to the initial minimum */
#define ARTN_COL_N_CONNECTED "n_connected"      /* how many of those */

/* summary.json */
#define ARTN_KEY_DQ_ATOM_MEAN "dq_atom_mean_eV"
#define ARTN_KEY_DQ_ATOM_CONNECTED_MEAN "dq_atom_connected_mean_eV"
#define ARTN_KEY_DQ_EVENT_MEDIAN "dq_event_median_eV"
#define ARTN_KEY_CONNECTED_FRACTION "connected_fraction"
#define ARTN_KEY_SUCCESS_RATE "success_rate"

#endif
