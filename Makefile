# accord: one GNU Makefile. `make`, `make check`, `make SAN=1 check`, `make test`, `make install`.
CC       ?= cc
PREFIX   ?= /usr/local
DESTDIR  ?=
PKGS     := libmicrohttpd jansson sqlite3 libsodium libical libcurl
CSTD     := -std=c11
WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wno-unused-parameter
OPT      ?= -O2 -g

ifeq ($(SAN),1)
BUILD    := build-san
OPT      := -O1 -g -fno-omit-frame-pointer
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined
else
BUILD    := build
SANFLAGS :=
endif

# PostgreSQL builds go to their own directory, so objects of the two never mix.
ifeq ($(PGSQL),1)
PKGS     += libpq
DEFS     += -DACC_WITH_PGSQL=1
BUILD    := $(BUILD)-pg
endif

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
# libical, libmicrohttpd and libcurl are not linked: src/calendar/calendar_ics.c,
# src/http/server.c and src/notify/notify_curl.c load them with dlopen() when first used, so
# that no other command pays for loading them (ICU and libstdc++, gnutls and its start-up
# code, OpenSSL) at start. Only their headers are used at build time.
PKG_LIBS   := $(shell pkg-config --libs $(filter-out libical libmicrohttpd libcurl,$(PKGS)))
CFLAGS_ALL := $(CSTD) $(WARN) $(OPT) $(SANFLAGS) $(DEFS) -pthread -Isrc -I$(BUILD) $(PKG_CFLAGS) $(CFLAGS)
LDFLAGS_ALL := $(SANFLAGS) -pthread $(LDFLAGS)
LIBS       := $(PKG_LIBS) -lm

# Every src/<dir>/*.c is part of the library; store_pgsql.c only with PGSQL=1.
LIB_SRC  := $(filter-out src/store/store_pgsql.c,$(wildcard src/*/*.c))
ifeq ($(PGSQL),1)
LIB_SRC  += src/store/store_pgsql.c
endif
LIB_OBJ  := $(patsubst src/%.c,$(BUILD)/obj/%.o,$(LIB_SRC))
WEB_FILES := $(shell find web/dist -type f 2>/dev/null | LC_ALL=C sort)
SQL_FILES := $(sort $(wildcard sql/*.sql))
GEN_OBJ  := $(BUILD)/obj/gen/web_assets.o $(BUILD)/obj/gen/sql_migrations.o \
            $(BUILD)/obj/gen/api_doc.o

UNIT_SRC := $(wildcard tests/unit/*_test.c)
UNIT_BIN := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))
API_BIN  := $(BUILD)/tests/api_test

all: accord

accord: $(BUILD)/accord
	@# Replace by rename, so a running ./accord does not block the copy.
	@if [ "$(BUILD)" = build ]; then cp $(BUILD)/accord accord.new && mv -f accord.new accord; fi

$(BUILD)/accord: $(BUILD)/obj/main.o $(LIB_OBJ) $(GEN_OBJ)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBS)

$(BUILD)/obj/%.o: src/%.c $(wildcard src/*/*.h) | $(BUILD)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -MMD -c -o $@ $<

# Web assets and SQL migrations are compiled into the binary by tools/embed.
$(BUILD)/embed: tools/embed.c | $(BUILD)
	$(CC) -std=c11 -Wall -Wextra -Werror -O1 -o $@ $<

$(BUILD)/gen/web_assets.c: $(BUILD)/embed $(WEB_FILES)
	@mkdir -p $(dir $@)
	$(BUILD)/embed web web/dist $@ $(WEB_FILES)

$(BUILD)/gen/sql_migrations.c: $(BUILD)/embed $(SQL_FILES)
	@mkdir -p $(dir $@)
	$(BUILD)/embed sql sql $@ $(SQL_FILES)

$(BUILD)/gen/api_doc.c: $(BUILD)/embed src/http/openapi.json
	@mkdir -p $(dir $@)
	$(BUILD)/embed api src/http $@ src/http/openapi.json

$(BUILD)/obj/gen/%.o: $(BUILD)/gen/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -c -o $@ $<

$(BUILD):
	@mkdir -p $(BUILD)

$(BUILD)/tests/%_test: tests/unit/%_test.c tests/t.h $(LIB_OBJ) $(GEN_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -Itests -o $@ $< $(LIB_OBJ) $(GEN_OBJ) $(LDFLAGS_ALL) $(LIBS)

$(API_BIN): tests/api/api_test.c tests/t.h $(LIB_OBJ) $(GEN_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -Itests -o $@ $< $(LIB_OBJ) $(GEN_OBJ) $(LDFLAGS_ALL) $(LIBS)

# check: unit, in-process API, black-box and calendar-oracle tests of this build (SAN=1: sanitizers).
check: $(BUILD)/accord $(UNIT_BIN) $(API_BIN)
	@BUILD=$(BUILD) tests/run.sh unit api blackbox oracle

# test: everything the README's test command promises, summed into one line.
test:
	@tests/run.sh all

# The C files git knows or would add (tracked, or new and not ignored); outside git, all.
C_FILES = $(shell git ls-files --cached --others --exclude-standard '*.c' '*.h' 2>/dev/null)

format:
	clang-format -i $(or $(C_FILES),$(shell find src tests tools bench -name '*.[ch]'))

format-check:
	@files="$(C_FILES)"; \
	[ -n "$$files" ] || files="$$(find src tests tools bench -name '*.[ch]')"; \
	clang-format --dry-run -Werror $$files && echo "format-check: $$(echo $$files | wc -w) files follow .clang-format"

install: $(BUILD)/accord
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 0755 $(BUILD)/accord $(DESTDIR)$(PREFIX)/bin/accord
	install -m 0644 docs/accord.1 $(DESTDIR)$(PREFIX)/share/man/man1/accord.1

# run: the README's run command after dependencies: demo database unless present, then serve.
run: accord
	@if [ ! -f accord.db ]; then ./accord demo; else echo "accord.db exists; using it (delete it for a fresh demo)"; ./accord demo --show; fi
	./accord serve

clean:
	rm -rf build build-san build-pg build-san-pg accord

.PHONY: all accord check test format format-check install run clean

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
