# Steward — the two commands a newcomer runs are `make demo` and `make test`.
# Each target does its own set-up (npm ci, apt packages it needs).

SHELL := /bin/bash
NODE  := node
TSX   := $(NODE) --import tsx
PORT  ?= 8443
export PORT

comma := ,
# The API's unit preloads jemalloc (systemd/steward-api.service); tests run it as installed.
JEMALLOC := build/.jemalloc

TEST_FILES = $(shell find daemons shared ui tests -name '*.test.ts' -not -path '*/node_modules/*' | sort)

.PHONY: all setup build typecheck lint unit test test-e2e demo bench clean sim

all: build

# npm ci only when the lock file changed since the last install.
node_modules/.stamp: package-lock.json package.json
	npm ci --no-audit --no-fund
	@touch $@

setup: node_modules/.stamp

build: setup
	$(TSX) daemons/build.ts

typecheck: setup
	npx tsc -p tsconfig.json

lint: setup
	npx eslint --max-warnings 0 .

unit: build /usr/bin/pebble $(JEMALLOC)
	$(TSX) --test --test-concurrency=2 --test-reporter=spec $(TEST_FILES)

$(JEMALLOC):
	ldconfig -p | grep -q 'libjemalloc\.so\.2 ' || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libjemalloc2; }
	@mkdir -p build && touch $@

# Debian's Pebble (test ACME CA, with pebble-challtestsrv) for the ACME tests.
/usr/bin/pebble:
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends pebble

test: typecheck lint unit test-e2e test-deb

# Browser tests: Debian's chromium driven by playwright-core, against a real stack.
E2E_FILES = $(shell find tests/e2e -name '*.e2e.ts' | sort)

/usr/bin/chromium:
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

test-e2e: build /usr/bin/chromium /usr/bin/pebble $(JEMALLOC)
	$(TSX) --test --test-concurrency=1 --test-reporter=spec $(E2E_FILES)

demo: build $(JEMALLOC)
	$(TSX) tests/demo.ts

bench: build /usr/bin/chromium $(JEMALLOC)
	$(TSX) tests/bench/run.ts

# The Proxmox simulator alone (demo scenario): prints the remotes as JSON, serves until Ctrl-C.
sim: setup
	$(TSX) tests/sim/cli.ts --scenario demo

clean:
	rm -rf dist build

# ---- Debian package -------------------------------------------------------------------
VERSION   := $(shell node -p "require('./package.json').version")
DEB_ARCH  := $(shell dpkg --print-architecture)
DEB       := build/steward_$(VERSION)_$(DEB_ARCH).deb
DEB_TOOLS := dpkg-buildpackage:dpkg-dev dh:debhelper lintian:lintian mmdebstrap:mmdebstrap systemd-analyze:systemd systemd-socket-activate:systemd

.PHONY: deb lintian systemd-check test-deb deb-tools

# Installs the Debian tools the package targets need, only those missing.
deb-tools:
	@missing=""; for t in $(DEB_TOOLS); do command -v $${t%%:*} >/dev/null || missing="$$missing $${t#*:}"; done; \
	if [ -n "$$missing" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; fi

# The source tree for dpkg-buildpackage: debian/ copied, the built parts linked.
deb: build deb-tools
	rm -rf build/pkg && mkdir -p build/pkg/steward
	cp -r debian build/pkg/steward/debian
	for d in dist etc systemd node_modules; do ln -s $(CURDIR)/$$d build/pkg/steward/$$d; done
	cd build/pkg/steward && dpkg-buildpackage -b -us -uc -a$(DEB_ARCH) >../build.log 2>&1 || { tail -40 ../build.log; exit 1; }
	mv build/pkg/steward_$(VERSION)_$(DEB_ARCH).deb $(DEB)
	@echo "built $(DEB)"

lintian: deb
	lintian --fail-on error --info $(DEB)

systemd-check: deb-tools
	systemd-analyze verify --man=no systemd/*.socket systemd/*.service
	@for u in systemd/*.service; do systemd-analyze security --offline=true --threshold=25 $$u | tail -1; done

# A clean Debian 13 root (with its nodejs, as on Proxmox VE 9), built once and cached.
# The package's dependencies are in it (the chroot has no apt lists); its name changes with them.
BASE_PKGS := nodejs,adduser,ca-certificates,libjemalloc2
BASE_TAR := build/debian-trixie-$(subst $(comma),-,$(BASE_PKGS)).tar
$(BASE_TAR):
	$(MAKE) deb-tools
	mkdir -p build
	mmdebstrap --quiet --format=tar --variant=minbase --include=$(BASE_PKGS) trixie $@.tmp http://deb.debian.org/debian
	mv $@.tmp $@

# Install, run, upgrade and purge the .deb in that root (chroot), plus lintian and the units.
test-deb: deb $(BASE_TAR) lintian systemd-check
	DEB=$(DEB) BASE_TAR=$(BASE_TAR) $(TSX) --test --test-reporter=spec tests/system/deb-install.ts
