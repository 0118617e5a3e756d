# wasmcm's build, test and demo entry points. Everything here needs only Go;
# the internal/oracle module (the reference peer) also needs the Go module
# proxy once, to fetch go.bytecodealliance.org, and is skipped without it.

GO       ?= go
FUZZTIME ?= 60s
ORACLE   := internal/oracle
CACHE    := .cache

.PHONY: all build test test-main test-oracle conformance bench fuzz demo clean

all: build test

## build: build bin/wasmcm
build:
	$(GO) build -o bin/wasmcm ./cmd/wasmcm

## test: vet and test the main module, then the oracle module when it can be fetched
test: test-main test-oracle

test-main:
	$(GO) vet ./...
	$(GO) test ./...

# The oracle module's dependencies come from the module proxy; a machine
# without it (offline) skips the module rather than failing.
test-oracle:
	@if (cd $(ORACLE) && $(GO) mod download) >/dev/null 2>&1; then \
		echo "cd $(ORACLE) && $(GO) vet ./... && $(GO) test ./..."; \
		cd $(ORACLE) && $(GO) vet ./... && $(GO) test ./...; \
	else \
		echo "make test: skipped $(ORACLE): cannot download its dependencies (go.bytecodealliance.org)"; \
	fi

## conformance: run the tests and print every "conformance: key N/M" line they report
# All tests run, not just those named TestConformance*: counts are reported
# from tests of many names, and the whole suite takes about a minute. -v
# because go test shows a passing package's output only in verbose mode.
conformance:
	@mkdir -p $(CACHE); status=0; \
	$(GO) test -count=1 -v ./... > $(CACHE)/conformance.log 2>&1 || status=1; \
	if (cd $(ORACLE) && $(GO) mod download) >/dev/null 2>&1; then \
		(cd $(ORACLE) && $(GO) test -count=1 -v ./...) >> $(CACHE)/conformance.log 2>&1 || status=1; \
	else \
		echo "make conformance: skipped $(ORACLE): cannot download its dependencies" >&2; \
	fi; \
	grep '^conformance:' $(CACHE)/conformance.log | sort; \
	grep -E '^\s*[a-z_]+_test\.go:[0-9]+: skipped' $(CACHE)/conformance.log | sed 's/^\s*/note: /' | sort -u; \
	if [ $$status -ne 0 ]; then \
		grep -E '^\s*--- FAIL|^FAIL|^panic:' $(CACHE)/conformance.log; \
		echo "make conformance: some tests failed; the whole log is in $(CACHE)/conformance.log" >&2; \
	fi; \
	exit $$status

## bench: run every benchmark once, the oracle's reference peer included
bench:
	$(GO) test -run '^$$' -bench . -benchmem -count=1 ./...
	@if (cd $(ORACLE) && $(GO) mod download) >/dev/null 2>&1; then \
		cd $(ORACLE) && $(GO) test -run '^$$' -bench . -benchmem -count=1 ./...; \
	else \
		echo "make bench: skipped $(ORACLE): cannot download its dependencies"; \
	fi

## fuzz: run each fuzz target for FUZZTIME (default 60s), one after another
# go test -fuzz takes one target of one package at a time, so the targets are
# found by their declarations and run in turn.
fuzz:
	@set -e; found=0; \
	for file in $$(grep -rlE --include='*_test.go' '^func Fuzz[A-Z0-9_]' . | grep -v '^./$(ORACLE)/' | sort); do \
		dir=$$(dirname $$file); \
		for target in $$(sed -nE 's/^func (Fuzz[A-Za-z0-9_]*)\(.*/\1/p' $$file); do \
			found=1; \
			echo "== $$dir $$target ($(FUZZTIME))"; \
			$(GO) test -run '^$$' -fuzz "^$$target\$$" -fuzztime $(FUZZTIME) ./$$dir; \
		done; \
	done; \
	if [ $$found -eq 0 ]; then echo "make fuzz: no fuzz targets yet"; fi

## demo: the main job end to end: WIT → Go bindings → go build → component → run
# On examples/wit/greeter (implemented in Go by examples/greeter); first the
# WIT front end on examples/wit/kv, a package with a dependency.
DEMO   := $(CACHE)/demo
WASMCM := ./bin/wasmcm
demo: build
	@echo '$$ wasmcm wit examples/wit/kv'
	@$(WASMCM) wit examples/wit/kv
	@echo '$$ wasmcm wit --json examples/wit/kv | head -20'
	@$(WASMCM) wit --json examples/wit/kv | head -20
	@echo '...'
	@echo
	@mkdir -p $(DEMO)
	@echo '$$ wasmcm bindgen go --world greeter --out examples/greeter/bindings --package-root github.com/wasmcm/wasmcm/examples/greeter/bindings examples/wit/greeter'
	@$(WASMCM) bindgen go --world greeter --out examples/greeter/bindings \
		--package-root github.com/wasmcm/wasmcm/examples/greeter/bindings examples/wit/greeter
	@echo '$$ GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o $(DEMO)/greeter.wasm ./examples/greeter'
	@GOOS=wasip1 GOARCH=wasm $(GO) build -buildmode=c-shared -o $(DEMO)/greeter.wasm ./examples/greeter
	@echo '$$ wasmcm component embed --world greeter examples/wit/greeter $(DEMO)/greeter.wasm -o $(DEMO)/greeter.embedded.wasm'
	@$(WASMCM) component embed --world greeter examples/wit/greeter $(DEMO)/greeter.wasm -o $(DEMO)/greeter.embedded.wasm
	@echo '$$ wasmcm component new $(DEMO)/greeter.embedded.wasm -o $(DEMO)/greeter.component.wasm'
	@$(WASMCM) component new $(DEMO)/greeter.embedded.wasm -o $(DEMO)/greeter.component.wasm
	@echo '$$ wasmcm component wit $(DEMO)/greeter.component.wasm | grep export'
	@$(WASMCM) component wit $(DEMO)/greeter.component.wasm | grep export
	@for call in 'greet("world")' 'word-count("the quick brown fox")' 'longest-word("the quick brown fox")' 'longest-word("")'; do \
		echo "\$$ wasmcm run --invoke '$$call' $(DEMO)/greeter.component.wasm"; \
		$(WASMCM) run --invoke "$$call" $(DEMO)/greeter.component.wasm || exit 1; \
	done

clean:
	rm -rf bin $(CACHE)
