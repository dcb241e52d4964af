#!/usr/bin/env bash
# Times the DARTS supernet in godarts and in PyTorch (tools/peer/darts_torch.py) in one run
# and prints them side by side. Usage: scripts/peer-bench.sh [steps]
set -euo pipefail
steps=${1:-10}
go build -o bin/nas ./cmd/nas
printf '%-6s %-8s %12s %12s %8s %14s %14s\n' config mode godarts_s torch_s ratio godarts_rss torch_rss
for config in small paper; do
  for mode in fwd fwdbwd search1; do
    ours=$(bin/nas bench --config $config --mode $mode --steps "$steps" --json)
    peer=$(/usr/bin/python3 tools/peer/darts_torch.py --config $config --mode $mode --steps "$steps" --json)
    python3 - "$ours" "$peer" <<'PY'
import json, sys
o, p = json.loads(sys.argv[1]), json.loads(sys.argv[2])
assert o["params"] == p["params"], f"parameter counts differ: godarts {o['params']}, torch {p['params']}"
print("%-6s %-8s %12.4f %12.4f %8.2f %13.0fM %13.0fM" % (o["config"], o["mode"], o["median_s"], p["median_s"],
      o["median_s"] / p["median_s"], o["peak_rss_bytes"] / 2**20, p["peak_rss_bytes"] / 2**20))
PY
  done
done
