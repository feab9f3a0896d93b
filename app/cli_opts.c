/* cli_opts.c — the option parser of the bpel subcommands (see cli_opts.h). */
#include "cli_opts.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

#define MAX_OPTS 64

/* The message `fmt` with "%v" and "%o" replaced, as a usage error of s->cmd. */
static int message(const cli_spec *s, const char *fmt, const char *option, const char *value)
{
    fprintf(stderr, "bpel %s: ", s->cmd);
    for (const char *p = fmt; *p; p++) {
        if (p[0] == '%' && (p[1] == 'v' || p[1] == 'o')) {
            fputs(*++p == 'v' ? value : option, stderr);
            continue;
        }
        fputc(*p, stderr);
    }
    fprintf(stderr, " (bpel %s --help)\n", s->cmd);
    return 2;
}

int cli_bad_value(const cli_spec *s, const cli_opt *o, const char *option, const char *value)
{
    return message(s, o->error ? o->error : s->bad_value ? s->bad_value : "invalid value '%v' for %o", option, value);
}

static int in_range(const cli_opt *o, double x)
{
    return !((o->check & CLI_MIN && !(x >= o->min)) || (o->check & CLI_MIN_OPEN && !(x > o->min)) ||
             (o->check & CLI_MAX && !(x <= o->max)) || (o->check & CLI_MAX_OPEN && !(x < o->max)));
}

/* The k-th word of "a|b|c" equal to v: k, or -1. */
static int choice(const char *choices, const char *v)
{
    size_t n = strlen(v);
    int k = 0;
    for (const char *p = choices;; k++) {
        const char *end = strchr(p, '|');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && !strncmp(p, v, n)) return k;
        if (!end) return -1;
        p = end + 1;
    }
}

/* "A:B" (the first 127 characters) into a and b. */
static int pair(const cli_opt *o, const char *v, double *a, double *b)
{
    char buf[128], *sep;
    snprintf(buf, sizeof buf, "%s", v);
    if (!(sep = strchr(buf, ':'))) return -1;
    *sep = '\0';
    if (cli_parse_double(buf, a) || cli_parse_double(sep + 1, b) || !in_range(o, *a) || !in_range(o, *b)) return -1;
    return o->check & CLI_ASCENDING && !(*a < *b) ? -1 : 0;
}

/* The usage error of a number out of range. */
static int out_of_range(const cli_spec *s, const cli_opt *o, const char *option, const char *value)
{
    return o->range_error ? message(s, o->range_error, option, value) : cli_bad_value(s, o, option, value);
}

/* Store the value of option `o` (written `option`); 0, or the exit status. */
static int take(const cli_spec *s, const cli_opt *o, const char *option, const char *v)
{
    double x;
    long l;
    int k;
    switch (o->kind) {
    case CLI_FLAG: *(int *)o->dest = 1; break;
    case CLI_FLAG_OFF: *(int *)o->dest = 0; break;
    case CLI_SHOW: o->show(); return CLI_HELPED;
    case CLI_STRING: *(const char **)o->dest = v; break;
    case CLI_DOUBLE:
        if (o->check & CLI_INF && !strcmp(v, "inf")) x = INFINITY;
        else if (cli_parse_double(v, &x)) return cli_bad_value(s, o, option, v);
        else if (!in_range(o, x)) return out_of_range(s, o, option, v);
        *(double *)o->dest = x;
        break;
    case CLI_LONG:
    case CLI_INT:
    case CLI_ULONG:
        if (cli_parse_long(v, &l)) return cli_bad_value(s, o, option, v);
        if (!in_range(o, (double)l)) return out_of_range(s, o, option, v);
        if (o->kind == CLI_LONG) *(long *)o->dest = l;
        else if (o->kind == CLI_INT) *(int *)o->dest = (int)l;
        else *(unsigned long *)o->dest = (unsigned long)l;
        break;
    case CLI_PAIR: {
        double a, b;
        if (pair(o, v, &a, &b)) return cli_bad_value(s, o, option, v);
        *(double *)o->dest = a;
        *(double *)o->dest2 = b;
        break;
    }
    case CLI_CHOICE:
        if ((k = choice(o->choices, v)) < 0) return cli_bad_value(s, o, option, v);
        *(int *)o->dest = o->values ? o->values[k] : k;
        break;
    case CLI_CALL:
        k = o->call(s, o, v);
        if (k < 0) return cli_bad_value(s, o, option, v);
        if (k) return k;
        break;
    }
    if (o->given) *o->given = 1;
    return 0;
}

static int has_value(const cli_opt *o) { return o->kind != CLI_FLAG && o->kind != CLI_FLAG_OFF && o->kind != CLI_SHOW; }

static int parse_gnu(const cli_spec *s, int argc, char **argv, cli_operands *ops)
{
    struct option lo[MAX_OPTS + 2];
    char shorts[3 * MAX_OPTS + 2], *q = shorts;
    int n = 0;
    for (; s->opts[n].name; n++) {
        const cli_opt *o = &s->opts[n];
        if (n == MAX_OPTS) return message(s, "too many options", "", "");
        lo[n] = (struct option){o->name, has_value(o) ? required_argument : no_argument, NULL, 256 + n};
        if (o->short_name) {
            *q++ = (char)o->short_name;
            if (has_value(o)) *q++ = ':';
        }
    }
    lo[n] = (struct option){"help", no_argument, NULL, 'h'};
    lo[n + 1] = (struct option){NULL, 0, NULL, 0};
    *q++ = 'h';
    *q = '\0';
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, shorts, lo, NULL)) != -1) {
        if (c == 'h') {
            s->help();
            return CLI_HELPED;
        }
        const cli_opt *o = NULL;
        if (c >= 256) o = &s->opts[c - 256];
        else
            for (int k = 0; k < n && !o; k++)
                if (c != '?' && s->opts[k].short_name == c) o = &s->opts[k];
        if (!o) return message(s, "unknown option", "", "");
        char option[128];
        snprintf(option, sizeof option, "--%s", o->name);
        int rc = take(s, o, option, optarg);
        if (rc) return rc;
    }
    ops->n = argc - optind;
    ops->v = argv + optind;
    return 0;
}

static int parse_words(const cli_spec *s, int argc, char **argv, cli_operands *ops)
{
    const char *prefix = s->prefix ? s->prefix : "--";
    size_t plen = strlen(prefix);
    int nops = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            s->help();
            return CLI_HELPED;
        }
        if (strncmp(a, prefix, plen)) {
            if (nops == s->max_operands)
                return message(s, s->extra ? s->extra : "unexpected argument '%v'", a, a);
            argv[1 + nops++] = argv[i];
            continue;
        }
        const cli_opt *o = NULL;
        if (a[0] == '-' && a[1] == '-')
            for (const cli_opt *p = s->opts; p->name && !o; p++)
                if (!strcmp(a + 2, p->name)) o = p;
        int rc;
        if (o && !has_value(o)) {
            if ((rc = take(s, o, a, NULL))) return rc;
            continue;
        }
        if (!o && s->unknown_first) return message(s, "unknown option %o", a, "");
        if (i + 1 >= argc) return message(s, "%o needs a value", a, "");
        const char *v = argv[++i];
        if (!o) return message(s, "unknown option %o", a, "");
        if ((rc = take(s, o, a, v))) return rc;
    }
    ops->n = nops;
    ops->v = argv + 1;
    return 0;
}

int cli_parse(const cli_spec *s, int argc, char **argv, cli_operands *ops)
{
    return s->syntax == CLI_GNU ? parse_gnu(s, argc, argv, ops) : parse_words(s, argc, argv, ops);
}
