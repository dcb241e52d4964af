package nas

import (
	"fmt"

	"godarts/nas/genotype"
)

// nb201AlphaRecord is one line of alphas.jsonl for an NB201 search: one cell per stage
// ("stage1".."stage3", the relaxed weight of every op on every edge), and once the
// size-variable phase runs, the kernel choice of every edge ("stageK_kernel": 7×7, 5×5,
// 3×3) and the exit choice of every stage ("exit": one row per stage over 1..N cells).
func (s *Search) nb201AlphaRecord() map[string]any {
	n := s.nb201
	relax := n.Relax
	cells := map[string]any{}
	edgeRows := func(a [][]float64, ops func(e int) []string) []map[string]any {
		w := relax.Host(a)
		var edges []map[string]any
		for e, edge := range s.Space.Edges() {
			edges = append(edges, map[string]any{
				"from": edge.From, "to": edge.To, "ops": ops(e), "weights": roundAll(w[e]), "alpha": roundAll(a[e]),
			})
		}
		return edges
	}
	kernelOps := make([]string, len(nb201Kernels))
	for i, k := range nb201Kernels {
		kernelOps[i] = genotype.KernelOp(k)
	}
	for st := range n.Alpha {
		name := fmt.Sprintf("stage%d", st+1)
		cells[name] = map[string]any{"edges": edgeRows(hostRows(n.Alpha[st]), func(e int) []string { return s.Space.Ops(genotype.Normal, e) })}
		if n.sized && n.AlphaMix[st] != nil {
			cells[name+"_kernel"] = map[string]any{"edges": edgeRows(hostRows(n.AlphaMix[st]), func(int) []string { return kernelOps })}
		}
	}
	if n.sized && n.AlphaExit != nil {
		a := hostRows(n.AlphaExit)
		w := relax.Host(a)
		depth := make([]string, n.Config.N)
		for i := range depth {
			depth[i] = fmt.Sprintf("%d_cells", i+1)
		}
		var rows []map[string]any
		for st := range a {
			rows = append(rows, map[string]any{"from": 0, "to": st + 1, "ops": depth, "weights": roundAll(w[st]), "alpha": roundAll(a[st])})
		}
		cells["exit"] = map[string]any{"edges": rows}
	}
	rec := map[string]any{"epoch": s.Epoch, "space": s.Space.Name, "relaxation": relax.Name(), "cells": cells}
	if p, ok := s.pen.(*NB201Penalty); ok {
		rec["expected_params"] = p.Expected()
	}
	return rec
}
