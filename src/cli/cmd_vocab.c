/* cmd_vocab.c: `attest vocab [NAME]` lists the controlled vocabularies. */
#include "cli.h"
#include "../core/vocab.h"

#include <string.h>

static int vocab_cmd(struct cli *cli, int argc, char **argv)
{
    const char *only = NULL;
    bool as_json = false;
    size_t n;
    const struct vocab *all = vocab_all(&n);
    json_t *out = json_object();
    struct table tab;

    (void)cli;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            as_json = true;
        else if (only == NULL && argv[i][0] != '-')
            only = argv[i];
        else
            return cli_usage(&vocab_command, "unexpected argument \"%s\"", argv[i]);
    }
    if (only && vocab_find(only) == NULL) {
        json_decref(out);
        return cli_usage(&vocab_command, "no vocabulary \"%s\"; 'attest vocab' lists them", only);
    }
    cli_table_init(&tab, 5, "VOCABULARY", "CODE", "LABEL", "KOREAN", "ALSO");
    for (size_t v = 0; v < n; v++) {
        json_t *terms;
        if (only && strcmp(only, all[v].name) != 0)
            continue;
        terms = json_array();
        for (size_t t = 0; t < all[v].nterms; t++) {
            const struct vocab_term *term = &all[v].terms[t];
            struct buf also = BUF_INIT;
            json_t *one = json_pack("{s:s, s:s, s:s}", "code", term->code, "label", term->label,
                                    "label_ko", term->label_ko);
            vocab_synonyms(&all[v], term->code, &also);
            cli_table_row(&tab, t == 0 ? all[v].name : "", term->code, term->label, term->label_ko,
                          buf_str(&also));
            if (also.len)
                json_object_set_new(one, "synonyms", json_string(buf_str(&also)));
            json_array_append_new(terms, one);
            buf_free(&also);
        }
        json_object_set_new(out, all[v].name, json_pack("{s:s, s:o}", "about", all[v].about,
                                                        "terms", terms));
    }
    if (as_json)
        cli_print_json(out);
    else
        cli_table_print(&tab, stdout);
    cli_table_free(&tab);
    json_decref(out);
    return EXIT_OK;
}

const struct command vocab_command = {
    .name = "vocab",
    .summary = "list the controlled vocabularies",
    .usage =
        "attest vocab [NAME] [--json]\n"
        "Lists every controlled vocabulary (or only NAME) with its codes, the values\n"
        "that fields such as act_type, site_type or basis take, their labels, and the\n"
        "other words an import takes for them (\"killing site\", \"처형장\").",
    .run = vocab_cmd,
    .needs = NEEDS_NOTHING,
};
