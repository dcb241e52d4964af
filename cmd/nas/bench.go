package main

import (
	"encoding/json"
	"fmt"
	"io"
	"syscall"

	"godarts/nas"
	"godarts/vk"
)

func init() {
	register(command{name: "bench", summary: "time the DARTS supernet: forward, backward, one search step", run: runBench})
}

func runBench(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("bench", stderr)
	config := fs.String("config", "small", "small (batch 32, C 8, 5 cells, 28x28x1) or paper (batch 64, C 16, 8 cells, 32x32x3)")
	mode := fs.String("mode", "search1", "fwd, fwdbwd or search1 (one first-order DARTS iteration)")
	device := fs.String("device", "cpu", "cpu, vulkan, vulkan:N or auto")
	threads := fs.Int("threads", 0, "CPU threads (0 = all cores)")
	steps := fs.Int("steps", 10, "timed steps")
	warmup := fs.Int("warmup", 2, "untimed steps first")
	asJSON := fs.Bool("json", false, "print one JSON object")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, ok := nas.BenchConfigs[*config]
	if !ok {
		return usagef("--config %q: want small or paper", *config)
	}
	if *mode != "fwd" && *mode != "fwdbwd" && *mode != "search1" {
		return usagef("--mode %q: want fwd, fwdbwd or search1", *mode)
	}
	if *steps < 1 || *warmup < 0 {
		return usagef("--steps %d --warmup %d: want ≥ 1 timed step", *steps, *warmup)
	}
	dev, desc, err := openDevice(*device, *threads, stderr)
	if err != nil {
		return err
	}
	res, err := nas.Bench(dev, cfg, *mode, *warmup, *steps)
	if err != nil {
		return err
	}
	res.Device = desc
	defer vk.WriteProfile(stderr, dev) // GODARTS_VK_PROFILE=1: GPU time per shader, after the result
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	peak := ru.Maxrss * 1024
	out := map[string]any{"config": res.Config, "mode": res.Mode, "device": res.Device, "median_s": res.Median,
		"min_s": res.Min, "max_s": res.Max, "peak_rss_bytes": peak, "params": res.Params}
	if c, ok := vk.Stats(dev); ok {
		out["vulkan"] = c
	}
	if *asJSON {
		b, _ := json.Marshal(out)
		fmt.Fprintln(stdout, string(b))
		return nil
	}
	fmt.Fprintf(stdout, "%s %s on %s: median %.4fs min %.4fs max %.4fs over %d steps; peak RSS %.0f MiB; %d weights\n",
		res.Config, res.Mode, res.Device, res.Median, res.Min, res.Max, len(res.Steps), float64(peak)/(1<<20), res.Params)
	return nil
}
