# attest: build, test and run.  `make help` lists the targets.
#
# Sources are found by wildcard: a new file in src/core, src/cli, src/http,
# tests/unit or tests/fuzz is built without touching this file.

O        ?= build
CC       ?= cc
PKGS     := libsodium libcrypto jansson libxml-2.0 icu-uc icu-i18n proj libarchive libmicrohttpd gdal libcurl
WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wformat=2 -Wno-format-nonliteral -Wno-format-truncation -Wno-unknown-warning-option
CFLAGS   ?= -O2 -g
CFLAGS   += -std=c17 -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 $(WARN) -MMD -MP $(SAN_FLAGS)
CPPFLAGS += -I$(SQLCIPHER_DIR) $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS   += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lkeyutils -lpthread -lm

# SQLCipher 4 (SQLite with every page encrypted), compiled from the
# amalgamation in the npm package pinned by package-lock.json, with the
# options the archive needs: FTS5, R*Tree, the session extension, secure
# delete, OpenSSL's ciphers, and temporary tables only in memory.
SQLCIPHER_DIR  := node_modules/@journeyapps/sqlcipher/deps/sqlcipher-amalgamation
SQLCIPHER_OBJ  ?= $(O)/sqlcipher/sqlite3.o
SQLCIPHER_DEFS := -DSQLITE_HAS_CODEC -DSQLCIPHER_CRYPTO_OPENSSL -DSQLITE_THREADSAFE=1 \
                  -DSQLITE_EXTRA_INIT=sqlcipher_extra_init -DSQLITE_EXTRA_SHUTDOWN=sqlcipher_extra_shutdown \
                  -DSQLITE_ENABLE_FTS5 -DSQLITE_ENABLE_RTREE -DSQLITE_ENABLE_SESSION \
                  -DSQLITE_ENABLE_PREUPDATE_HOOK -DSQLITE_SECURE_DELETE -DSQLITE_TEMP_STORE=3 \
                  -DSQLITE_DEFAULT_FILE_PERMISSIONS=0600 -DSQLCIPHER_OMIT_LOG -DHAVE_USLEEP=1 -DNDEBUG
LDFLAGS  += $(SAN_FLAGS)

CORE_SRC := $(sort $(wildcard src/core/*.c))
CLI_SRC  := $(sort $(wildcard src/cli/*.c src/http/*.c))
UNIT_SRC := $(sort $(wildcard tests/unit/*.c))
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZERS  := $(patsubst tests/fuzz/fuzz_%.c,%,$(FUZZ_SRC))

CORE_OBJ := $(CORE_SRC:%.c=$(O)/%.o) $(O)/gazetteer_data.o $(SQLCIPHER_OBJ)
CLI_OBJ  := $(CLI_SRC:%.c=$(O)/%.o) $(O)/assets_data.o
UNIT_OBJ := $(UNIT_SRC:%.c=$(O)/%.o)

.PHONY: FORCE all deps test check bench fuzz run clean help test-only lint demo-reset

all: $(O)/attest

help:
	@echo "make          build $(O)/attest"
	@echo "make deps     install the Debian and npm packages the build and tests need"
	@echo "make test     deps, build, then every test; ends with 'N passed, N failed'"
	@echo "make lint     the source rules a machine can check (tools/lint; part of make test)"
	@echo "make check    the tests under AddressSanitizer and UBSan"
	@echo "make bench    the benchmarks in bench/ (slow; never part of make test)"
	@echo "make fuzz     a short run of every fuzzer under libFuzzer"
	@echo "make run      deps, build, a FICTIONAL demo archive (made once) and a tour of attest"
	@echo "make demo-reset  remove the demo archive; the next make run seeds it afresh"

deps:
	@scripts/deps

$(O)/libattest.a: $(CORE_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(O)/attest: $(CLI_OBJ) $(O)/libattest.a
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(O)/libattest.a $(LDLIBS)

$(O)/unit-tests: $(UNIT_OBJ) $(O)/libattest.a
	$(CC) $(LDFLAGS) -o $@ $(UNIT_OBJ) $(O)/libattest.a $(LDLIBS)

# The tests' window into an encrypted database (tests/tools/sql.c).
$(O)/attest-sql: tests/tools/sql.c $(O)/libattest.a
	$(CC) $(CFLAGS) $(CPPFLAGS) $(LDFLAGS) -o $@ $< $(O)/libattest.a $(LDLIBS)

# The fuzz targets, built with a plain main() that replays a corpus, so
# that `make test` runs every saved input without needing libFuzzer.
$(O)/fuzz-replay-%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(O)/libattest.a
	$(CC) $(CFLAGS) $(CPPFLAGS) $(LDFLAGS) -o $@ $< tests/fuzz/replay.c $(O)/libattest.a $(LDLIBS)

$(SQLCIPHER_DIR)/sqlite3.c:
	@echo "$@ is missing: run 'make deps' (it installs the npm packages)" >&2; exit 1
$(SQLCIPHER_OBJ): $(SQLCIPHER_DIR)/sqlite3.c
	@mkdir -p $(dir $@)
	@echo "  CC      sqlcipher (SQLite amalgamation, about a minute)"
	@$(CC) -O2 -g -w -include stdint.h -D_GNU_SOURCE $(SQLCIPHER_DEFS) -c -o $@ $<

# The same program without encryption at rest, for the benchmarks that
# measure what encryption costs and for the test of 'attest upgrade' (which
# needs an archive as an earlier attest wrote it).  Never installed.
$(O)/plain/%: $(SQLCIPHER_OBJ) FORCE
	@$(MAKE) --no-print-directory O=$(O)/plain SQLCIPHER_OBJ=$(abspath $(SQLCIPHER_OBJ)) \
	    CFLAGS="$(CFLAGS) -DATTEST_STORE_PLAINTEXT" $@
FORCE:

# The benchmarks' programs (bench/NAME.c), linked with the core library.
$(O)/bench/%: bench/%.c bench/open.h bench/latency.h $(O)/libattest.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(CPPFLAGS) $(LDFLAGS) -o $@ $< $(O)/libattest.a $(LDLIBS)

# The web application, compiled in: see web/assets.list, where a path
# that starts with $O/ is a file the build makes.
ASSET_FILES := $(shell sed -n 's/^[^\#][^ ]* \([^ ]*\) .*/\1/p' web/assets.list | sed 's|^\$$O/|$(O)/|')
$(O)/embed: tools/embed.c
	@mkdir -p $(dir $@)
	@$(CC) -O2 -o $@ $<
$(O)/assets_data.c: web/assets.list $(ASSET_FILES) $(O)/embed
	@echo "  EMBED   web/assets.list"
	@sed 's|^\([^# ][^ ]*\) \$$O/|\1 $(O)/|' web/assets.list > $(O)/assets.list
	@$(O)/embed $(O)/assets.list $@

# The offline reference map's fine part, Natural Earth 1:10m around Korea
# and the rivers of North Korea (data/rivers-kp.txt, made by tools/rivers.sh):
# see tools/refmap.js.
$(O)/refmap-10m.json: tools/refmap.js data/rivers-kp.txt package-lock.json
	@mkdir -p $(dir $@)
	@echo "  GEN     $@"
	@node tools/refmap.js $@
$(O)/assets_data.o: $(O)/assets_data.c
	@$(CC) -O0 -I. -c -o $@ $<

# The gazetteer, generated from data/places.tsv and the npm data packages:
# see tools/gazetteer.js and docs/commands/places.md.
$(O)/gazetteer_data.c: data/places.tsv tools/gazetteer.js package-lock.json
	@mkdir -p $(dir $@)
	@echo "  GEN     $@"
	@node tools/gazetteer.js data/places.tsv $@
$(O)/gazetteer_data.o: $(O)/gazetteer_data.c src/core/gazetteer.h
	@$(CC) $(CFLAGS) $(CPPFLAGS) -Isrc/core -c -o $@ $<

$(O)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) $(CPPFLAGS) -c -o $@ $<

test: deps
	@$(MAKE) --no-print-directory test-only

test-only: $(O)/attest $(O)/attest-sql $(O)/plain/attest $(O)/unit-tests $(O)/bench/link_gen $(FUZZERS:%=$(O)/fuzz-replay-%)
	@O=$(O) tests/run

lint:
	@tools/lint

check: deps
	@$(MAKE) --no-print-directory O=build/san CC=clang \
	    SAN_FLAGS="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer" \
	    test-only

fuzz: deps
	@O=build/fuzz tests/fuzz/run $(FUZZERS)

bench: deps all
	@bench/run

run: deps all
	@scripts/demo

# Removes the demo archive, so that the next make run seeds a new one.
demo-reset:
	rm -rf demo-archive

clean:
	rm -rf build

-include $(CORE_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(UNIT_OBJ:.o=.d)
