/* quality.h — how far a derived number can be trusted, recorded next to it.
 *
 * Every summary JSON that reports a derived number (Tg, the boson peak, the
 * optimal coarse-graining length, ξ, γ_ave, the PMF well, ...) records its
 * quality under a top-level object "quality", keyed by the number's dotted
 * path in the same file:
 *     "quality": { "boson_peak.omega_radps": { "verdict": "weak",
 *                  "reason": "the maximum sits at the window's lower edge" } }
 * Verdicts: "ok"; "weak" (a number, to be read with the reason in mind);
 * "not determined" (the data cannot support a number; the value is null).
 * The study report prints the verdict and reason beside each number. */
#ifndef BPEL_QUALITY_H
#define BPEL_QUALITY_H

#include <cjson/cJSON.h>

/* The keys: summary[BPEL_QUALITY_KEY][path] = {BPEL_QUALITY_VERDICT: ...,
 * BPEL_QUALITY_REASON: ...}. */
#define BPEL_QUALITY_KEY "quality"
#define BPEL_QUALITY_VERDICT "verdict"
#define BPEL_QUALITY_REASON "reason"

typedef enum bpel_quality { BPEL_Q_OK = 0, BPEL_Q_WEAK = 1, BPEL_Q_NOT_DETERMINED = 2 } bpel_quality;

/* "ok", "weak", "not determined" */
const char *bpel_quality_name(bpel_quality q);
/* summary.quality[path] = {verdict, reason}. A second call for the same
 * path keeps the worse verdict and joins the reasons with "; ". Returns
 * BPEL_OK or BPEL_ENOMEM. */
int bpel_quality_add(cJSON *summary, const char *path, bpel_quality q, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
