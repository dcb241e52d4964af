//go:build !purego

package simd

var avx2VectorKernels = genericVectorKernels
