# godarts: make demo runs the main job on the embedded data; make test runs every test.
GO ?= go
BIN := bin/nas

.PHONY: all build build-static setup demo test test-go test-purego test-static vet bench fuzz \
	embedded-data shaders golden peer-bench clean

all: build

setup:
	scripts/setup.sh test

build:
	$(GO) build -o $(BIN) ./cmd/nas

# The fully static CPU-only binary: no cgo, no Vulkan.
build-static:
	CGO_ENABLED=0 $(GO) build -tags novulkan -o bin/nas-static ./cmd/nas

demo:
	scripts/setup.sh demo
	$(GO) build -o $(BIN) ./cmd/nas
	$(BIN) search

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt would change:"; gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet ./...
	CGO_ENABLED=0 $(GO) vet -tags novulkan ./...

test: setup vet test-go test-purego test-static

test-go:
	$(GO) test -count=1 -timeout 15m ./...

# The pure-Go kernels (no assembly) pass the same suite.
test-purego:
	$(GO) test -count=1 -tags purego ./tensor/...

test-static:
	CGO_ENABLED=0 $(GO) build -tags novulkan -o /dev/null ./cmd/nas

bench:
	$(GO) test -run '^$$' -bench . -benchtime 200ms ./tensor/...

embedded-data:
	scripts/setup.sh peer
	$(GO) run ./internal/tools/mkembedded -src /usr/share/datasets/fashion-mnist -out data/embedded

golden:
	/usr/bin/python3 tools/golden/make_golden.py

clean:
	rm -rf bin
