/* mse_data.h: the published capture tables the estimation tests share
 * (the research notes, sections 2.2 to 2.4). */
#ifndef MSE_DATA_H
#define MSE_DATA_H

#include "../../src/core/mse.h"

#include <string.h>

static inline void mse_data_table(struct mse_table *t, int nlists, const char *const *names,
                                  const double *cells)
{
    memset(t, 0, sizeof *t);
    t->nlists = nlists;
    for (int j = 0; j < nlists; j++)
        snprintf(t->names[j], sizeof t->names[j], "%s", names[j]);
    for (int h = 1; h < 1 << nlists; h++)
        t->count[h] = cells[h];
}

/* Kosovo 1999 (Ball et al. 2002), the first list varying fastest. */
static inline void mse_data_kosovo(struct mse_table *t)
{
    static const char *const names[] = { "EXH", "ABA", "OSCE", "HRW" };
    static const double cells[] = { 0, 1131, 845, 177, 936, 228, 217, 181,
                                    306, 106, 31, 18, 123, 42, 32, 27 };
    mse_data_table(t, 4, names, cells);
}

/* Rcapture's HIV data (Abeni et al. 1994), indexed c1 + 2 c2 + 4 c3 + 8 c4. */
static inline void mse_data_hiv(struct mse_table *t)
{
    static const char *const names[] = { "c1", "c2", "c3", "c4" };
    double cells[16] = { 0 };

    cells[1 + 2 + 4] = 3;
    cells[1 + 2 + 8] = 1;
    cells[1 + 2] = 33;
    cells[1 + 4] = 20;
    cells[1 + 8] = 6;
    cells[1] = 403;
    cells[2 + 4 + 8] = 3;
    cells[2 + 4] = 35;
    cells[2 + 8] = 10;
    cells[2] = 545;
    cells[4 + 8] = 11;
    cells[4] = 621;
    cells[8] = 205;
    mse_data_table(t, 4, names, cells);
}

/* Madigan and York's three lists. */
static inline void mse_data_my3(struct mse_table *t)
{
    static const char *const names[] = { "A", "B", "C" };
    static const double cells[] = { 0, 60, 49, 4, 247, 112, 142, 12 };
    mse_data_table(t, 3, names, cells);
}

/* Madigan and York's five lists. */
static inline void mse_data_my5(struct mse_table *t)
{
    static const char *const names[] = { "A", "B", "C", "D", "E" };
    static const double cells[] = { 0, 27, 37, 19, 4, 4, 1, 1, 97, 22, 37, 25, 2, 1, 3, 5,
                                    83, 36, 34, 18, 3, 5, 0, 2, 30, 5, 23, 8, 0, 3, 0, 2 };
    mse_data_table(t, 5, names, cells);
}

#endif
