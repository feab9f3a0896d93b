/* model.c — the potential bound to the atom types (model.h). */
#include "model.h"

#include <stdlib.h>

#include "eam_tables.h"
#include "error.h"

struct bpel_model {
    const bpel_eam *pot;
    int ntypes;
    int map[BPEL_MAX_TYPES + 1];
    eam_tables tab;
};

int bpel_model_create(const bpel_eam *pot, bpel_system *s, const char *elements, bpel_model **out)
{
    *out = NULL;
    bpel_model *m = bpel_calloc(1, sizeof *m);
    if (!m) return BPEL_ENOMEM;
    int rc = bpel_eam_map_types(pot, s, elements, m->map);
    if (rc) {
        free(m);
        return rc;
    }
    m->pot = pot;
    m->ntypes = s->ntypes;
    bpel_eam_bind_tables(pot, m->map, s->ntypes, &m->tab);
    *out = m;
    return BPEL_OK;
}

void bpel_model_destroy(bpel_model *m) { free(m); }

const bpel_eam *bpel_model_potential(const bpel_model *m) { return m->pot; }
int bpel_model_ntypes(const bpel_model *m) { return m->ntypes; }
int bpel_model_element(const bpel_model *m, int type) { return m->map[type]; }
double bpel_model_cutoff(const bpel_model *m) { return m->tab.cut; }
const eam_tables *bpel_model_tables(const bpel_model *m) { return &m->tab; }

int bpel_model_check_system(const bpel_model *m, const bpel_system *s)
{
    if (s->ntypes > m->ntypes)
        return bpel_fail(BPEL_EINVAL, "%s has %d atom types but the potential is bound to %d", s->source, s->ntypes,
                         m->ntypes);
    return BPEL_OK;
}
