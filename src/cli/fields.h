/* fields.h: record fields and write options from command-line flags. */
#ifndef FIELDS_H
#define FIELDS_H

#include "cli.h"
#include "../core/model.h"
#include "../core/record.h"

/* Parses argv (after the type or id) into data and w.  When json_file is
 * not NULL, --json FILE is accepted and stored there.  Returns EXIT_OK or
 * the exit code after printing the error. */
int fields_from_flags(struct cli *cli, const struct command *cmd, const struct type_spec *t,
                      int argc, char **argv, json_t *data, struct record_write *w,
                      const char **json_file);

/* Prints the fields of t, one per line, for help texts. */
void fields_usage(const struct type_spec *t, FILE *out);

#endif
