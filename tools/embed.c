/*
 * embed.c: a build tool.  Reads a list of "NAME PATH CONTENT-TYPE" lines
 * and writes a C file holding each file's bytes, so that the web
 * application is compiled into attest and needs no network or files.
 *
 * usage: embed LIST OUT.c
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    char line[1024], name[256], path[512], type[128];
    FILE *list, *out;
    int n = 0;

    if (argc != 3) {
        fprintf(stderr, "usage: embed LIST OUT.c\n");
        return 2;
    }
    if ((list = fopen(argv[1], "r")) == NULL || (out = fopen(argv[2], "w")) == NULL) {
        perror("embed");
        return 1;
    }
    fprintf(out, "/* Generated from %s by tools/embed.c: do not edit. */\n"
                 "#include \"src/http/assets.h\"\n\n", argv[1]);
    while (fgets(line, sizeof line, list)) {
        FILE *f;
        int c;
        size_t len = 0;

        if (line[0] == '#' || sscanf(line, "%255s %511s %127[^\n]", name, path, type) != 3)
            continue;
        if ((f = fopen(path, "rb")) == NULL) {
            fprintf(stderr, "embed: cannot read %s (run 'make deps' for the npm packages)\n", path);
            return 1;
        }
        fprintf(out, "static const unsigned char asset_%d[] = {", n);
        while ((c = fgetc(f)) != EOF)
            fprintf(out, "%s%d,", len++ % 32 ? "" : "\n", c);
        fprintf(out, "0};\n");
        fclose(f);
        fprintf(out, "#define ASSET_%d { \"%s\", \"%s\", asset_%d, %zu },\n", n, name, type, n, len);
        n++;
    }
    fprintf(out, "\nconst struct asset assets[] = {\n");
    for (int i = 0; i < n; i++)
        fprintf(out, "    ASSET_%d\n", i);
    fprintf(out, "};\nconst size_t nassets = %d;\n", n);
    fclose(list);
    return fclose(out) == 0 ? 0 : 1;
}
