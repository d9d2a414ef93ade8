# Steward — the two commands a newcomer runs are `make demo` and `make test`.
# Each target does its own set-up (npm ci, apt packages it needs).

SHELL := /bin/bash
NODE  := node
TSX   := $(NODE) --import tsx
PORT  ?= 8443
export PORT

TEST_FILES = $(shell find daemons shared ui tests -name '*.test.ts' -not -path '*/node_modules/*' | sort)

.PHONY: all setup build typecheck lint unit test test-e2e demo bench clean

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

unit: build
	$(TSX) --test --test-concurrency=2 --test-reporter=spec $(TEST_FILES)

test: typecheck lint unit test-e2e

# Browser tests: Debian's chromium driven by playwright-core, against a real stack.
E2E_FILES = $(shell find tests/e2e -name '*.e2e.ts' | sort)

/usr/bin/chromium:
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

test-e2e: build /usr/bin/chromium
	$(TSX) --test --test-concurrency=1 --test-reporter=spec $(E2E_FILES)

demo: build
	$(TSX) tests/demo.ts

bench: build
	$(TSX) tests/bench/run.ts

clean:
	rm -rf dist build
