package vk

import "fmt"

func fmtFloats(v []float32) string { return fmt.Sprint(v) }
