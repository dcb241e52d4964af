module godarts

go 1.26.0

require (
	github.com/google/go-cmp v0.7.0
	github.com/klauspost/cpuid/v2 v2.4.2
	github.com/vulkan-go/vulkan v0.0.0-20221209234627-c0a353ae26c8
)

require golang.org/x/sys v0.41.0 // indirect
