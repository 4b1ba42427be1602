# katzenthin: the two commands a newcomer needs are `make demo` and `make test`.
GO        ?= go
STATICCHECK ?= $(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2
FUZZTIME  ?= 60s
SOAK      ?= 2m
SOAK_FLAGS ?=

.PHONY: all demo test lint bench fuzz soak

all: lint test

## demo: ping the echo service of the bundled mock daemon five times.
demo:
	$(GO) run ./examples/echo -mock -count 5 -interval 200ms

## test: every test, with the race detector (what CI runs).
test:
	$(GO) vet ./...
	$(GO) test -race -count=1 ./...

## lint: formatting, vet and staticcheck.
lint:
	@fmt=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$fmt" ]; then echo "gofmt would change:"; echo "$$fmt"; exit 1; fi
	$(GO) vet ./...
	$(STATICCHECK) ./...

## bench: the performance harness; prints a table of ratios (BENCHFLAGS="-count 5", see BENCHMARKS.md).
bench:
	$(GO) run ./internal/benchtable $(BENCHFLAGS)

## fuzz: every fuzzer for FUZZTIME each.
fuzz:
	@for p in ./wire ./pki ./mock ./pigeonhole ./pigeonhole/channel ./client; do \
	  for f in $$($(GO) test -list '^Fuzz' $$p | grep '^Fuzz'); do \
	    echo "== $$p $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$p || exit 1; \
	  done; \
	done

## soak: a bounded soak test against the mock (SOAK=10m for longer; SOAK_FLAGS="-churn -generation 99" for connection churn), then the long durable-channel crash test.
soak:
	$(GO) run ./internal/soak -duration $(SOAK) $(SOAK_FLAGS)
	KATZENTHIN_CRASH_SOAK=1 $(GO) test -count=1 -run '^TestCrash$$' -timeout 30m ./pigeonhole/channel/
