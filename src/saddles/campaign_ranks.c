/* campaign_ranks.c — a campaign over MPI ranks (campaign.h): a task farm
 * in which rank 0 hands out items and writes the log and the other ranks
 * search. Messages: a worker asks for an item (tag 1, empty), announces a
 * record by its length (tag 2) or reports its failure (tag 3); rank 0
 * answers a request with an item index, or -1 to stop, and a record's
 * length with 1 when it can hold it (the record follows, tag 4) or 0 when
 * it cannot, so that a worker never waits on a coordinator that failed. */
#include "campaign.h"

#include <limits.h>
#include <mpi.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "restart.h"

enum { TAG_ASK = 1, TAG_RECORD = 2, TAG_FAILED = 3, TAG_DATA = 4, TAG_ANSWER = 5 };

static int coordinate(campaign *c, const unsigned char *done, int size, size_t *ndone, size_t *nacc,
                      int (*progress)(void *, size_t, size_t, size_t), void *ctx, int *failed, int *stop)
{
    size_t nitems = bpel_campaign_nitems(c), next = 0;
    int active = size - 1, rc = BPEL_OK;
    char *buf = NULL;
    while (active > 0) {
        MPI_Status st;
        long len;
        MPI_Recv(&len, 1, MPI_LONG, MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &st);
        if (st.MPI_TAG == TAG_RECORD) {
            char *nb = len >= 0 && len < INT_MAX ? realloc(buf, (size_t)len + 1) : NULL;
            int go = nb != NULL;
            MPI_Send(&go, 1, MPI_INT, st.MPI_SOURCE, TAG_ANSWER, MPI_COMM_WORLD);
            if (!go) { /* the item stays undone in the log: a resumed campaign searches it again */
                if (!rc) rc = bpel_fail(BPEL_ENOMEM, "cannot hold a record of %ld bytes", len);
                continue;
            }
            buf = nb;
            MPI_Recv(buf, (int)len, MPI_CHAR, st.MPI_SOURCE, TAG_DATA, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            buf[len] = '\0';
            if (!rc && !*failed) rc = bpel_campaign_log_append(c, buf);
            ++*ndone;
            *nacc += strstr(buf, " accepted ") != NULL;
            if (progress && progress(ctx, *ndone, nitems, *nacc)) *stop = 1;
            continue;
        }
        if (st.MPI_TAG == TAG_FAILED) *failed = 1;
        while (next < nitems && done[next]) next++;
        if (bpel_restart_signalled()) *stop = 1;
        long item = (next < nitems && !rc && !*failed && !*stop) ? (long)next++ : -1;
        MPI_Send(&item, 1, MPI_LONG, st.MPI_SOURCE, 0, MPI_COMM_WORLD);
        if (item < 0) active--;
    }
    free(buf);
    return rc;
}

static int work(campaign *c)
{
    campaign_worker *w;
    long item, zero = 0;
    int rc = bpel_campaign_worker_create(c, &w);
    if (rc) {
        MPI_Send(&zero, 1, MPI_LONG, 0, TAG_FAILED, MPI_COMM_WORLD);
        MPI_Recv(&item, 1, MPI_LONG, 0, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        return rc;
    }
    for (;;) {
        MPI_Send(&zero, 1, MPI_LONG, 0, TAG_ASK, MPI_COMM_WORLD);
        MPI_Recv(&item, 1, MPI_LONG, 0, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        if (item < 0) break;
        char *line;
        int acc;
        if ((rc = bpel_campaign_run_item(w, (size_t)item, &line, &acc))) {
            MPI_Send(&zero, 1, MPI_LONG, 0, TAG_FAILED, MPI_COMM_WORLD);
            MPI_Recv(&item, 1, MPI_LONG, 0, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            break;
        }
        long len = (long)strlen(line);
        int go;
        MPI_Send(&len, 1, MPI_LONG, 0, TAG_RECORD, MPI_COMM_WORLD);
        MPI_Recv(&go, 1, MPI_INT, 0, TAG_ANSWER, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        if (go) MPI_Send(line, (int)len, MPI_CHAR, 0, TAG_DATA, MPI_COMM_WORLD);
        free(line);
    }
    bpel_campaign_worker_destroy(w);
    return rc;
}

int bpel_campaign_run_ranks(campaign *c, const unsigned char *done, size_t *ndone, size_t *nacc,
                            int (*progress)(void *ctx, size_t done, size_t total, size_t accepted), void *ctx,
                            campaign_ranks_outcome *out)
{
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    memset(out, 0, sizeof *out);
    if (size < 2) return bpel_fail(BPEL_EINVAL, "a task farm needs at least 2 ranks, not %d", size);
    int failed = 0, stop = 0, rc;
    if (rank == 0) {
        rc = coordinate(c, done, size, ndone, nacc, progress, ctx, &failed, &stop);
        if (!rc && !failed && *ndone < bpel_campaign_nitems(c) && stop) rc = BPEL_EINTR;
    } else {
        rc = work(c);
    }
    int mine[2] = {rc != BPEL_OK && rc != BPEL_EINTR, rc == BPEL_EINTR}, all[2];
    if (failed) mine[0] = 1;
    MPI_Allreduce(mine, all, 2, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    out->failed = all[0];
    out->interrupted = all[1];
    return rc;
}
