/* table.h — per-atom CSV tables keyed by atom id.
 *
 * Format (what bpel writes and reads): one header line of comma-separated
 * column names that carry their units (e.g. `id,type,I_BP_per_radps3`), then
 * one row per atom with the same number of fields. An `id` column holds the
 * LAMMPS atom id (integer). Blank lines and lines starting with '#' are
 * ignored; CRLF line ends and spaces around fields are accepted.
 *
 * Values are parsed as numbers when a column is used, so tables may carry
 * text columns (e.g. `element`) that nobody asks for. A requested column must
 * hold finite numbers in every row; the error names file, line and column.
 * Ragged rows, a missing header, non-integer or duplicate ids are rejected
 * when the file is read. */
#ifndef BPEL_TABLE_H
#define BPEL_TABLE_H

#include <stddef.h>
#include <stdint.h>
#include "structure.h"

typedef struct tbl_table {
    char path[512];   /* file it came from, for messages */
    size_t nrows;
    size_t ncols;
    char **names;     /* [ncols] column names */
    char **cells;     /* [nrows*ncols] raw field text, row-major */
    int *line;        /* [nrows] line number of each row in the file */
    int id_col;       /* index of the `id` column, -1 if none */
    int64_t *id;      /* [nrows] ids when id_col >= 0, else NULL */
} tbl_table;

/* Read a CSV table. Returns BPEL_OK, BPEL_EIO or BPEL_EPARSE (message
 * "FILE:LINE: ..."). */
int bpel_tbl_read(const char *path, tbl_table **out);
void bpel_tbl_destroy(tbl_table *t);

/* Index of a column by exact name, or -1. */
int bpel_tbl_find_column(const tbl_table *t, const char *name);
/* A whole column as finite numbers, in file order (out has nrows entries).
 * Errors: missing column (the message lists the columns there are),
 * unparsable or non-finite value (file, line, column). */
int bpel_tbl_column(const tbl_table *t, const char *name, double *out);

/* Values of a column for the atoms of `s`, in the system's atom order
 * (out has s->n entries), matched by id. Errors name the file and line:
 * no `id` column, an id of the table that is not in the configuration,
 * and (unless allow_missing) configuration atoms absent from the table or
 * with a "nan" value; with allow_missing those atoms get NaN and *nmissing
 * (may be NULL) counts them. Infinite values are always an error. */
int bpel_tbl_join(const tbl_table *t, const char *column, const bpel_system *s, int allow_missing, double *out,
             size_t *nmissing);

/* Parse "FILE.csv:COLUMN[:inv]" into the path, the column and whether the
 * reciprocal is wanted. The column is after the last ':' (or the one before
 * a final ":inv"). Returns BPEL_OK or BPEL_EINVAL. */
int bpel_tbl_parse_spec(const char *spec, char *path, size_t path_len, char *column, size_t col_len, int *inv);

/* Write a table: an `id` column then ncol columns named names[k] with
 * values cols[k][i] (printed with 10 significant digits; NaN as "nan").
 * Rows in the given order. Returns BPEL_OK or BPEL_EIO. */
int bpel_tbl_write(const char *path, size_t n, const int64_t *id, int ncol, const char *const *names,
              const double *const *cols);

#endif
