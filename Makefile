# godarts: make demo runs the main job on the embedded data; make test runs every test.
GO ?= go
BIN := bin/nas

.PHONY: all build build-static setup demo test test-go test-vulkan test-purego test-static vet bench fuzz \
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

test: setup vet test-go test-vulkan test-purego test-static

test-go:
	$(GO) test -count=1 -timeout 15m ./...

# The Vulkan backend again under the Khronos validation layer: any message fails a test.
# With CI=true a missing device fails instead of skipping.
test-vulkan:
	VK_INSTANCE_LAYERS=VK_LAYER_KHRONOS_validation $(GO) test -count=1 ./vk ./shaders/...

# The pure-Go kernels (no assembly) pass the same suite.
test-purego:
	$(GO) test -count=1 -tags purego ./tensor/...

test-static:
	CGO_ENABLED=0 $(GO) build -tags novulkan -o /dev/null ./cmd/nas

bench:
	$(GO) test -run '^$$' -bench . -benchtime 200ms ./tensor/...

embedded-data:
	$(GO) run ./internal/tools/mkembedded -src /usr/share/datasets/fashion-mnist -out data/embedded

# PyTorch reference vectors (needs python3-torch; only when regenerating).
golden:
	/usr/bin/python3 tools/golden/make_golden.py
	/usr/bin/python3 tools/golden/optim_golden.py
	/usr/bin/python3 tools/golden/layers_golden.py

# The README's report screenshot, from the browser test.
report-screenshot:
	$(GO) test ./report -run TestReportInBrowser -count=1 -screenshot "$(CURDIR)/docs/report.png"

# Our supernet against PyTorch's, same configs and modes, one run, ratios printed.
peer-bench:
	scripts/setup.sh peer
	scripts/peer-bench.sh

fuzz:
	for t in FuzzIDX FuzzCIFAR FuzzNPY FuzzNPZ; do \
	  $(GO) test ./data -run '^$$' -fuzz "^$$t\$$" -fuzztime 10s -fuzzminimizetime 200x || exit 1; done

# Compile shaders/src/*.comp to the committed SPIR-V with glslc, validate with spirv-val,
# rewrite shaders/manifest.json.
shaders:
	$(GO) run ./shaders/internal/gen

clean:
	rm -rf bin
