/* cli_opts.h — the one option parser of the bpel subcommands.
 *
 * A command declares a table of its options (long name, short name, kind,
 * where the value goes, the values allowed, the message for a bad value)
 * and calls cli_parse once: it reads argv in order, stores each value,
 * prints the usage error of the first bad word (as cli_usage_error: "bpel
 * CMD: ... (bpel CMD --help)", exit status 2), shows --help / -h, and
 * returns the operands (the words that are not options).
 *
 * Two syntaxes, both kept as the commands have always read them:
 *   CLI_GNU    getopt_long: options and operands in any order, --name=value,
 *              unique prefixes of long names, short options; a word getopt
 *              refuses gets getopt's own line on stderr, then "unknown option".
 *   CLI_WORDS  "--name value", word by word; a word that starts with
 *              `prefix` is an option; an unknown option or a missing value is
 *              reported at once ("unknown option --x", "--x needs a value").
 *
 * In messages for a bad value (cli_opt.error and range_error, cli_spec.bad_value) "%v"
 * stands for the value and "%o" for the option ("--name"). */
#ifndef BPEL_CLI_OPTS_H
#define BPEL_CLI_OPTS_H

typedef struct cli_opt cli_opt;
typedef struct cli_spec cli_spec;

typedef enum {
    CLI_FLAG,     /* no value: *(int *)dest = 1 */
    CLI_FLAG_OFF, /* no value: *(int *)dest = 0 */
    CLI_STRING,   /* *(const char **)dest = the value */
    CLI_DOUBLE,   /* *(double *)dest: a finite number ("inf" too with CLI_INF) */
    CLI_LONG,     /* *(long *)dest: an integer */
    CLI_INT,      /* *(int *)dest: an integer (bounds keep it in range) */
    CLI_ULONG,    /* *(unsigned long *)dest: an integer (bounds keep it >= 0) */
    CLI_PAIR,     /* "A:B": two numbers into *(double *)dest and *(double *)dest2, each
                   * checked; with CLI_ASCENDING also A < B */
    CLI_CHOICE,   /* *(int *)dest = values[k] (or k) for the k-th word of choices, "a|b|c" */
    CLI_CALL,     /* call(spec, opt, value) at every occurrence: 0 taken, -1 a bad value,
                   * else an exit status after the callback printed its own error */
    CLI_SHOW,     /* no value: call show() and end with exit status 0 (e.g. --help-params) */
} cli_kind;

/* Checks on numbers, any of them together. */
enum {
    CLI_MIN = 1,      /* value >= min */
    CLI_MIN_OPEN = 2, /* value > min */
    CLI_MAX = 4,      /* value <= max */
    CLI_MAX_OPEN = 8, /* value < max */
    CLI_INF = 16,     /* CLI_DOUBLE: the word "inf" is INFINITY (taken without other checks) */
    CLI_ASCENDING = 32, /* CLI_PAIR: A < B */
};
/* The first fields of a table entry: {CLI_OPT("steps", 0, CLI_LONG, &steps), CLI_NONNEG}; a
 * table ends with {0}. */
#define CLI_OPT(n, s, k, d) .name = (n), .short_name = (s), .kind = (k), .dest = (d)
#define CLI_POSITIVE .check = CLI_MIN_OPEN, .min = 0
#define CLI_NONNEG .check = CLI_MIN, .min = 0
#define CLI_AT_LEAST(n) .check = CLI_MIN, .min = (n)
#define CLI_FROM_TO(a, b) .check = CLI_MIN | CLI_MAX, .min = (a), .max = (b)

struct cli_opt {
    const char *name;    /* long name without "--"; NULL ends a table */
    int short_name;      /* CLI_GNU: its short option, 0 for none */
    cli_kind kind;
    void *dest;
    int check;
    void *dest2; /* CLI_PAIR: where B goes */
    double min, max;
    const char *choices; /* CLI_CHOICE: "a|b|c" */
    const int *values;   /* CLI_CHOICE: what each choice stores (NULL: its index) */
    int (*call)(const cli_spec *s, const cli_opt *o, const char *value);
    void (*show)(void);
    int *given;          /* set to 1 when the option is given with a good value */
    const char *error;   /* message for a bad value (default: the spec's bad_value) */
    const char *range_error; /* message for a number out of range (default: error) */
};

typedef enum { CLI_GNU, CLI_WORDS } cli_syntax;

struct cli_spec {
    const char *cmd;       /* "md": messages read "bpel md: ..." */
    const cli_opt *opts;
    void (*help)(void);    /* --help, -h (CLI_GNU: the long option "help" after the table's) */
    cli_syntax syntax;
    const char *bad_value; /* message for a bad value of an option without its own
                            * (default "invalid value '%v' for %o") */
    /* CLI_WORDS */
    const char *prefix;    /* a word starting with it is an option (default "--"; "": every word) */
    int max_operands;      /* a word beyond them is an error, */
    const char *extra;     /* this one (default "unexpected argument '%v'") */
    int unknown_first;     /* an unknown last word is "unknown option", not "needs a value" */
};

/* The words that are not options, in order (pointers into argv). */
typedef struct cli_operands {
    int n;
    char **v;
} cli_operands;

/* Parse argv[1..argc) (argv[0] is the command's name; argv may be reordered)
 * as `s` says. Returns 0 with the operands in `ops`; or, when the command ends
 * here, CLI_HELPED (help shown) or the exit status of the error (2 for usage
 * errors, after the message). cli_exit() turns either into the exit status. */
#define CLI_HELPED (-1)
int cli_parse(const cli_spec *s, int argc, char **argv, cli_operands *ops);
static inline int cli_exit(int rc) { return rc == CLI_HELPED ? 0 : rc; }

/* The usage error of option `o` ("--name" as written) with `value`: its message
 * or the spec's; returns 2. */
int cli_bad_value(const cli_spec *s, const cli_opt *o, const char *option, const char *value);

#endif
