/* quality.c — verdicts on derived numbers in summary JSON (see quality.h). */
#include "quality.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "error.h"

const char *bpel_quality_name(bpel_quality q)
{
    return q == BPEL_Q_OK ? "ok" : q == BPEL_Q_WEAK ? "weak" : "not determined";
}

static bpel_quality parse(const char *s)
{
    if (s && !strcmp(s, "weak")) return BPEL_Q_WEAK;
    if (s && !strcmp(s, "not determined")) return BPEL_Q_NOT_DETERMINED;
    return BPEL_Q_OK;
}

int bpel_quality_add(cJSON *summary, const char *path, bpel_quality q, const char *fmt, ...)
{
    char reason[512] = "";
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(reason, sizeof reason, fmt, ap);
        va_end(ap);
    }
    cJSON *all = cJSON_GetObjectItemCaseSensitive(summary, BPEL_QUALITY_KEY);
    if (!all && !(all = cJSON_AddObjectToObject(summary, BPEL_QUALITY_KEY))) return BPEL_ENOMEM;
    cJSON *e = cJSON_GetObjectItemCaseSensitive(all, path);
    if (e) {
        cJSON *v = cJSON_GetObjectItemCaseSensitive(e, BPEL_QUALITY_VERDICT), *r = cJSON_GetObjectItemCaseSensitive(e, BPEL_QUALITY_REASON);
        bpel_quality old = parse(cJSON_GetStringValue(v));
        const char *oldr = cJSON_GetStringValue(r);
        char joined[1024];
        if (q < old) return BPEL_OK; /* a better verdict does not override */
        if (q == old && oldr && oldr[0] && reason[0]) snprintf(joined, sizeof joined, "%s; %s", oldr, reason);
        else snprintf(joined, sizeof joined, "%s", reason[0] ? reason : (oldr ? oldr : ""));
        cJSON_DeleteItemFromObjectCaseSensitive(all, path);
        snprintf(reason, sizeof reason, "%.511s", joined);
    }
    if (!(e = cJSON_AddObjectToObject(all, path))) return BPEL_ENOMEM;
    if (!cJSON_AddStringToObject(e, "verdict", bpel_quality_name(q)) || !cJSON_AddStringToObject(e, "reason", reason))
        return BPEL_ENOMEM;
    return BPEL_OK;
}
