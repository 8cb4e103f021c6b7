# attest: build, test and run.  `make help` lists the targets.
#
# Sources are found by wildcard: a new file in src/core, src/cli, src/http,
# tests/unit or tests/fuzz is built without touching this file.

O        ?= build
CC       ?= cc
PKGS     := sqlite3 libsodium libcrypto jansson libxml-2.0 icu-uc icu-i18n proj libarchive libmicrohttpd
WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wformat=2 -Wno-format-nonliteral -Wno-format-truncation -Wno-unknown-warning-option
CFLAGS   ?= -O2 -g
CFLAGS   += -std=c17 -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 $(WARN) -MMD -MP $(SAN_FLAGS)
CPPFLAGS += $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS   += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm
LDFLAGS  += $(SAN_FLAGS)

CORE_SRC := $(sort $(wildcard src/core/*.c))
CLI_SRC  := $(sort $(wildcard src/cli/*.c src/http/*.c))
UNIT_SRC := $(sort $(wildcard tests/unit/*.c))
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZERS  := $(patsubst tests/fuzz/fuzz_%.c,%,$(FUZZ_SRC))

CORE_OBJ := $(CORE_SRC:%.c=$(O)/%.o) $(O)/gazetteer_data.o
CLI_OBJ  := $(CLI_SRC:%.c=$(O)/%.o) $(O)/assets_data.o
UNIT_OBJ := $(UNIT_SRC:%.c=$(O)/%.o)

.PHONY: all deps test check bench fuzz run clean help test-only

all: $(O)/attest

help:
	@echo "make          build $(O)/attest"
	@echo "make deps     install the Debian and npm packages the build and tests need"
	@echo "make test     deps, build, then every test; ends with 'N passed, N failed'"
	@echo "make check    the tests under AddressSanitizer and UBSan"
	@echo "make bench    the benchmarks in bench/ (slow; never part of make test)"
	@echo "make fuzz     a short run of every fuzzer under libFuzzer"
	@echo "make run      deps, build, a FICTIONAL demo archive and a tour of attest"

deps:
	@scripts/deps

$(O)/libattest.a: $(CORE_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(O)/attest: $(CLI_OBJ) $(O)/libattest.a
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(O)/libattest.a $(LDLIBS)

$(O)/unit-tests: $(UNIT_OBJ) $(O)/libattest.a
	$(CC) $(LDFLAGS) -o $@ $(UNIT_OBJ) $(O)/libattest.a $(LDLIBS)

# The fuzz targets, built with a plain main() that replays a corpus, so
# that `make test` runs every saved input without needing libFuzzer.
$(O)/fuzz-replay-%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(O)/libattest.a
	$(CC) $(CFLAGS) $(CPPFLAGS) $(LDFLAGS) -o $@ $< tests/fuzz/replay.c $(O)/libattest.a $(LDLIBS)

# The web application, compiled in: see web/assets.list.
ASSET_FILES := $(shell sed -n 's/^[^\#][^ ]* \([^ ]*\) .*/\1/p' web/assets.list)
$(O)/embed: tools/embed.c
	@mkdir -p $(dir $@)
	@$(CC) -O2 -o $@ $<
$(O)/assets_data.c: web/assets.list $(ASSET_FILES) $(O)/embed
	@echo "  EMBED   web/assets.list"
	@$(O)/embed web/assets.list $@
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

test-only: $(O)/attest $(O)/unit-tests $(FUZZERS:%=$(O)/fuzz-replay-%)
	@O=$(O) tests/run

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

clean:
	rm -rf build

-include $(CORE_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(UNIT_OBJ:.o=.d)
