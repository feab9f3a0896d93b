/* study_config.h — the description of a study (study.h), read from YAML
 * (examples/demo.yaml, examples/sweep.yaml). */
#ifndef BPEL_STUDY_CONFIG_H
#define BPEL_STUDY_CONFIG_H

#define STUDY_MAX_LIST 16

typedef struct study_config {
    char name[128];
    char output[512];
    char potential[512];
    char elements[64];
    long seed;
    int threads;
    /* glasses */
    char compositions[STUDY_MAX_LIST][32];
    int ncompositions;
    long atoms;
    double rates[STUDY_MAX_LIST];  /* K/s */
    int nrates;
    double melt_temperature;       /* K */
    double melt_time;              /* ps */
    double final_temperature;      /* K */
    double hold_time;              /* ps */
    /* analyses: enabled flags and parameters */
    int do_tg, do_modes, do_artn, do_correlate, do_trajectory, do_pmf, do_gruneisen, do_temperature_series;
    char modes_options[256];
    long artn_searches;
    char artn_atoms[256];
    char artn_options[256];
    double corr_lmax, corr_dl;
    long corr_bootstrap;
    char corr_options[256];
    double traj_temperature, traj_time;
    long traj_top, traj_bottom;
    double pmf_temperature;
    int gruneisen_relax;
    char gruneisen_options[256];
    double temperatures[STUDY_MAX_LIST];
    int ntemperatures;
    double series_time;            /* ps of NVT before each minimisation */
} study_config;

void bpel_study_config_defaults(study_config *c);
/* Read and validate; errors (unknown keys, wrong types, bad values) name the
 * file and line. Returns BPEL_OK or an error code. */
int bpel_study_config_read(const char *path, study_config *c);
/* The potential exists and holds every element of every composition. */
int bpel_study_config_check_potential(const char *path, const study_config *c);

#endif
