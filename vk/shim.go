//go:build !novulkan && cgo

package vk

/*
#cgo LDFLAGS: -ldl
#define VK_NO_PROTOTYPES
#include <vulkan/vulkan.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

// The shim reaches what vulkan-go (Vulkan 1.0 headers of 2018) lacks: the Vulkan 1.1
// property and feature queries, the debug-utils messenger, and a recorder that writes a
// whole dispatch in one cgo call (engine-anchors.md §6.4).

static PFN_vkGetInstanceProcAddr gd_gipa;

// gd_load opens the Vulkan loader and returns its vkGetInstanceProcAddr, or NULL.
static void *gd_load(void) {
	if (gd_gipa) return (void *)gd_gipa;
	void *lib = dlopen("libvulkan.so.1", RTLD_NOW | RTLD_LOCAL);
	if (!lib) lib = dlopen("libvulkan.so", RTLD_NOW | RTLD_LOCAL);
	if (!lib) return NULL;
	gd_gipa = (PFN_vkGetInstanceProcAddr)dlsym(lib, "vkGetInstanceProcAddr");
	return (void *)gd_gipa;
}

typedef struct {
	char name[256];
	char driver[256];
	char driverInfo[256];
	uint32_t apiVersion, driverVersion, vendorID, deviceID, deviceType;
	uint32_t maxWGInvocations, maxWGSize[3], maxWGCount[3], maxShared, maxStorageRange,
		maxPush, minStorageAlign, maxBoundSets, maxStorageBuffersPerStage;
	uint64_t nonCoherentAtom, maxAlloc;
	uint32_t subgroupSize, subgroupOps, subgroupStages;
	uint32_t storage16, float16, pushDescriptor, maxPushDescriptors;
	uint32_t heapCount, typeCount;
	uint64_t heapSize[VK_MAX_MEMORY_HEAPS];
	uint32_t heapFlags[VK_MAX_MEMORY_HEAPS];
	uint32_t typeFlags[VK_MAX_MEMORY_TYPES], typeHeap[VK_MAX_MEMORY_TYPES];
	uint32_t computeFamily, hasCompute;
	float timestampPeriod;       // nanoseconds per timestamp tick
	uint32_t timestampValidBits; // of the compute family; 0: no timestamps there
} gd_props;

static int gd_has_ext(VkInstance inst, VkPhysicalDevice pd, const char *want) {
	PFN_vkEnumerateDeviceExtensionProperties f =
		(PFN_vkEnumerateDeviceExtensionProperties)gd_gipa(inst, "vkEnumerateDeviceExtensionProperties");
	uint32_t n = 0;
	if (!f || f(pd, NULL, &n, NULL) != VK_SUCCESS) return 0;
	VkExtensionProperties *e = calloc(n ? n : 1, sizeof *e);
	f(pd, NULL, &n, e);
	int found = 0;
	for (uint32_t i = 0; i < n; i++)
		if (strcmp(e[i].extensionName, want) == 0) found = 1;
	free(e);
	return found;
}

// gd_query fills p for one physical device. It needs a Vulkan 1.1 instance.
static void gd_query(VkInstance inst, VkPhysicalDevice pd, gd_props *p) {
	memset(p, 0, sizeof *p);
	PFN_vkGetPhysicalDeviceProperties2 props2 =
		(PFN_vkGetPhysicalDeviceProperties2)gd_gipa(inst, "vkGetPhysicalDeviceProperties2");
	PFN_vkGetPhysicalDeviceFeatures2 feats2 =
		(PFN_vkGetPhysicalDeviceFeatures2)gd_gipa(inst, "vkGetPhysicalDeviceFeatures2");
	PFN_vkGetPhysicalDeviceMemoryProperties memf =
		(PFN_vkGetPhysicalDeviceMemoryProperties)gd_gipa(inst, "vkGetPhysicalDeviceMemoryProperties");
	PFN_vkGetPhysicalDeviceQueueFamilyProperties qf =
		(PFN_vkGetPhysicalDeviceQueueFamilyProperties)gd_gipa(inst, "vkGetPhysicalDeviceQueueFamilyProperties");
	int hasDriverProps = gd_has_ext(inst, pd, "VK_KHR_driver_properties");
	p->pushDescriptor = gd_has_ext(inst, pd, "VK_KHR_push_descriptor");

	VkPhysicalDeviceDriverProperties drv = {VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES};
	VkPhysicalDevicePushDescriptorPropertiesKHR pdp = {VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PUSH_DESCRIPTOR_PROPERTIES_KHR};
	VkPhysicalDeviceMaintenance3Properties m3 = {VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MAINTENANCE_3_PROPERTIES};
	VkPhysicalDeviceSubgroupProperties sg = {VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES};
	VkPhysicalDeviceProperties2 pr = {VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2};
	pr.pNext = &sg;
	sg.pNext = &m3;
	void **tail = &m3.pNext;
	if (p->pushDescriptor) { *tail = &pdp; tail = &pdp.pNext; }
	if (hasDriverProps) { *tail = &drv; tail = &drv.pNext; }
	props2(pd, &pr);
	VkPhysicalDeviceLimits *l = &pr.properties.limits;
	memcpy(p->name, pr.properties.deviceName, sizeof p->name);
	p->name[255] = 0;
	if (hasDriverProps) {
		memcpy(p->driver, drv.driverName, VK_MAX_DRIVER_NAME_SIZE);
		memcpy(p->driverInfo, drv.driverInfo, VK_MAX_DRIVER_INFO_SIZE);
	}
	p->apiVersion = pr.properties.apiVersion;
	p->driverVersion = pr.properties.driverVersion;
	p->vendorID = pr.properties.vendorID;
	p->deviceID = pr.properties.deviceID;
	p->deviceType = pr.properties.deviceType;
	p->maxWGInvocations = l->maxComputeWorkGroupInvocations;
	for (int i = 0; i < 3; i++) {
		p->maxWGSize[i] = l->maxComputeWorkGroupSize[i];
		p->maxWGCount[i] = l->maxComputeWorkGroupCount[i];
	}
	p->maxShared = l->maxComputeSharedMemorySize;
	p->maxStorageRange = l->maxStorageBufferRange;
	p->maxPush = l->maxPushConstantsSize;
	p->minStorageAlign = (uint32_t)l->minStorageBufferOffsetAlignment;
	p->maxBoundSets = l->maxBoundDescriptorSets;
	p->maxStorageBuffersPerStage = l->maxPerStageDescriptorStorageBuffers;
	p->nonCoherentAtom = l->nonCoherentAtomSize;
	p->maxAlloc = m3.maxMemoryAllocationSize;
	p->subgroupSize = sg.subgroupSize;
	p->subgroupOps = sg.supportedOperations;
	p->subgroupStages = sg.supportedStages;
	p->maxPushDescriptors = pdp.maxPushDescriptors;
	p->timestampPeriod = l->timestampPeriod;

	VkPhysicalDeviceShaderFloat16Int8Features f16 = {VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_FLOAT16_INT8_FEATURES};
	VkPhysicalDevice16BitStorageFeatures s16 = {VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_16BIT_STORAGE_FEATURES};
	VkPhysicalDeviceFeatures2 fe = {VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2};
	fe.pNext = &s16;
	if (gd_has_ext(inst, pd, "VK_KHR_shader_float16_int8") || pr.properties.apiVersion >= VK_API_VERSION_1_2)
		s16.pNext = &f16;
	feats2(pd, &fe);
	p->storage16 = s16.storageBuffer16BitAccess;
	p->float16 = f16.shaderFloat16;

	VkPhysicalDeviceMemoryProperties mp;
	memf(pd, &mp);
	p->heapCount = mp.memoryHeapCount;
	p->typeCount = mp.memoryTypeCount;
	for (uint32_t i = 0; i < mp.memoryHeapCount; i++) {
		p->heapSize[i] = mp.memoryHeaps[i].size;
		p->heapFlags[i] = mp.memoryHeaps[i].flags;
	}
	for (uint32_t i = 0; i < mp.memoryTypeCount; i++) {
		p->typeFlags[i] = mp.memoryTypes[i].propertyFlags;
		p->typeHeap[i] = mp.memoryTypes[i].heapIndex;
	}

	uint32_t nq = 0;
	qf(pd, &nq, NULL);
	VkQueueFamilyProperties *q = calloc(nq ? nq : 1, sizeof *q);
	qf(pd, &nq, q);
	// Prefer a compute family without graphics (a dedicated compute queue), else any.
	for (uint32_t pass = 0; pass < 2 && !p->hasCompute; pass++)
		for (uint32_t i = 0; i < nq; i++) {
			int compute = (q[i].queueFlags & VK_QUEUE_COMPUTE_BIT) != 0;
			int graphics = (q[i].queueFlags & VK_QUEUE_GRAPHICS_BIT) != 0;
			if (compute && (pass == 1 || !graphics)) {
				p->computeFamily = i;
				p->hasCompute = 1;
				p->timestampValidBits = q[i].timestampValidBits;
				break;
			}
		}
	free(q);
}

// Validation messages collected by the debug-utils messenger.
#define GD_MSG_KEEP 16
static pthread_mutex_t gd_msg_mu = PTHREAD_MUTEX_INITIALIZER;
static uint64_t gd_msg_count;
static char gd_msgs[GD_MSG_KEEP][1024];

static VKAPI_ATTR VkBool32 VKAPI_CALL gd_debug_cb(VkDebugUtilsMessageSeverityFlagBitsEXT sev,
	VkDebugUtilsMessageTypeFlagsEXT type, const VkDebugUtilsMessengerCallbackDataEXT *d, void *user) {
	(void)sev; (void)type; (void)user;
	pthread_mutex_lock(&gd_msg_mu);
	char *dst = gd_msgs[gd_msg_count % GD_MSG_KEEP];
	strncpy(dst, d && d->pMessage ? d->pMessage : "(no message)", 1023);
	dst[1023] = 0;
	gd_msg_count++;
	pthread_mutex_unlock(&gd_msg_mu);
	return VK_FALSE;
}

static VkDebugUtilsMessengerEXT gd_install_messenger(VkInstance inst) {
	PFN_vkCreateDebugUtilsMessengerEXT f =
		(PFN_vkCreateDebugUtilsMessengerEXT)gd_gipa(inst, "vkCreateDebugUtilsMessengerEXT");
	if (!f) return VK_NULL_HANDLE;
	VkDebugUtilsMessengerCreateInfoEXT ci = {VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT};
	ci.messageSeverity = VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT;
	ci.messageType = VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT;
	ci.pfnUserCallback = gd_debug_cb;
	VkDebugUtilsMessengerEXT m = VK_NULL_HANDLE;
	if (f(inst, &ci, NULL, &m) != VK_SUCCESS) return VK_NULL_HANDLE;
	return m;
}

static void gd_destroy_messenger(VkInstance inst, VkDebugUtilsMessengerEXT m) {
	PFN_vkDestroyDebugUtilsMessengerEXT f =
		(PFN_vkDestroyDebugUtilsMessengerEXT)gd_gipa(inst, "vkDestroyDebugUtilsMessengerEXT");
	if (f && m) f(inst, m, NULL);
}

static uint64_t gd_messages(char *out, int cap) {
	pthread_mutex_lock(&gd_msg_mu);
	uint64_t n = gd_msg_count;
	if (n > 0) {
		strncpy(out, gd_msgs[(n - 1) % GD_MSG_KEEP], cap - 1);
		out[cap - 1] = 0;
	}
	pthread_mutex_unlock(&gd_msg_mu);
	return n;
}

// gd_rec holds the device-level command entry points, fetched once per device so that
// recording skips the loader's trampolines.
typedef struct {
	PFN_vkCmdBindPipeline bindPipeline;
	PFN_vkCmdBindDescriptorSets bindSets;
	PFN_vkCmdPushConstants pushConstants;
	PFN_vkCmdDispatch dispatch;
	PFN_vkCmdPipelineBarrier barrier;
	PFN_vkCmdCopyBuffer copyBuffer;
	PFN_vkCmdFillBuffer fillBuffer;
	PFN_vkCmdPushDescriptorSetKHR pushDescriptors; // NULL without VK_KHR_push_descriptor
	PFN_vkCreateComputePipelines createPipelines;
	PFN_vkCreateShaderModule createModule;
	PFN_vkQueueSubmit submit;
	PFN_vkUpdateDescriptorSets updateSets;
	PFN_vkBeginCommandBuffer begin;
	PFN_vkCmdWriteTimestamp writeTimestamp; // the profiler's (GODARTS_VK_PROFILE=1)
	PFN_vkCmdResetQueryPool resetQueries;
	PFN_vkCreateQueryPool createQueryPool;
	PFN_vkDestroyQueryPool destroyQueryPool;
	PFN_vkGetQueryPoolResults queryResults;
	VkDevice dev;
	VkPipelineLayout layout;
} gd_rec;

// The calls below build their nested create-info structures in C: vulkan-go's marshalling
// of nested slices (pSpecializationInfo → pMapEntries, pSubmits → pCommandBuffers) was seen
// to hand freed memory to the driver under garbage-collector pressure (std::bad_alloc in
// vkCreateComputePipelines with GOGC=1).

static VkResult gd_create_device(VkInstance inst, VkPhysicalDevice pd, uint32_t family, int pushDesc, VkDevice *out) {
	PFN_vkCreateDevice f = (PFN_vkCreateDevice)gd_gipa(inst, "vkCreateDevice");
	if (!f) return VK_ERROR_INITIALIZATION_FAILED;
	float prio = 1.0f;
	VkDeviceQueueCreateInfo q = {VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO};
	q.queueFamilyIndex = family;
	q.queueCount = 1;
	q.pQueuePriorities = &prio;
	const char *ext[] = {"VK_KHR_push_descriptor"};
	VkDeviceCreateInfo ci = {VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO};
	ci.queueCreateInfoCount = 1;
	ci.pQueueCreateInfos = &q;
	if (pushDesc) {
		ci.enabledExtensionCount = 1;
		ci.ppEnabledExtensionNames = ext;
	}
	return f(pd, &ci, NULL, out);
}

// gd_create_instance makes a Vulkan 1.1 instance, with VK_EXT_debug_utils when the loader
// offers it (*debug set to 1).
static VkResult gd_create_instance(VkInstance *out, int *debug) {
	PFN_vkCreateInstance create = (PFN_vkCreateInstance)gd_gipa(NULL, "vkCreateInstance");
	PFN_vkEnumerateInstanceExtensionProperties enumExt =
		(PFN_vkEnumerateInstanceExtensionProperties)gd_gipa(NULL, "vkEnumerateInstanceExtensionProperties");
	if (!create || !enumExt) return VK_ERROR_INITIALIZATION_FAILED;
	*debug = 0;
	uint32_t n = 0;
	if (enumExt(NULL, &n, NULL) == VK_SUCCESS && n > 0) {
		VkExtensionProperties *e = calloc(n, sizeof *e);
		if (enumExt(NULL, &n, e) == VK_SUCCESS)
			for (uint32_t i = 0; i < n; i++)
				if (strcmp(e[i].extensionName, VK_EXT_DEBUG_UTILS_EXTENSION_NAME) == 0) *debug = 1;
		free(e);
	}
	const char *ext[] = {VK_EXT_DEBUG_UTILS_EXTENSION_NAME};
	VkApplicationInfo app = {VK_STRUCTURE_TYPE_APPLICATION_INFO};
	app.pApplicationName = "godarts";
	app.pEngineName = "godarts";
	app.apiVersion = VK_API_VERSION_1_1;
	VkInstanceCreateInfo ci = {VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO};
	ci.pApplicationInfo = &app;
	ci.enabledExtensionCount = *debug ? 1 : 0;
	ci.ppEnabledExtensionNames = ext;
	return create(&ci, NULL, out);
}

// gd_create_layouts makes the descriptor-set layout of nBindings storage buffers (a push
// descriptor layout when push is set) and the pipeline layout with pushBytes of push
// constants that every pipeline shares.
static VkResult gd_create_layouts(VkInstance inst, VkDevice dev, int push, uint32_t nBindings, uint32_t pushBytes,
	VkDescriptorSetLayout *dsl, VkPipelineLayout *layout) {
	PFN_vkGetDeviceProcAddr gdpa = (PFN_vkGetDeviceProcAddr)gd_gipa(inst, "vkGetDeviceProcAddr");
	PFN_vkCreateDescriptorSetLayout cdsl = (PFN_vkCreateDescriptorSetLayout)gdpa(dev, "vkCreateDescriptorSetLayout");
	PFN_vkCreatePipelineLayout cpl = (PFN_vkCreatePipelineLayout)gdpa(dev, "vkCreatePipelineLayout");
	if (!cdsl || !cpl || nBindings > 16) return VK_ERROR_INITIALIZATION_FAILED;
	VkDescriptorSetLayoutBinding b[16];
	memset(b, 0, sizeof b);
	for (uint32_t i = 0; i < nBindings; i++) {
		b[i].binding = i;
		b[i].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
		b[i].descriptorCount = 1;
		b[i].stageFlags = VK_SHADER_STAGE_COMPUTE_BIT;
	}
	VkDescriptorSetLayoutCreateInfo dci = {VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO};
	dci.flags = push ? VK_DESCRIPTOR_SET_LAYOUT_CREATE_PUSH_DESCRIPTOR_BIT_KHR : 0;
	dci.bindingCount = nBindings;
	dci.pBindings = b;
	VkResult r = cdsl(dev, &dci, NULL, dsl);
	if (r != VK_SUCCESS) return r;
	VkPushConstantRange pr = {VK_SHADER_STAGE_COMPUTE_BIT, 0, pushBytes};
	VkPipelineLayoutCreateInfo pci = {VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
	pci.setLayoutCount = 1;
	pci.pSetLayouts = dsl;
	pci.pushConstantRangeCount = 1;
	pci.pPushConstantRanges = &pr;
	return cpl(dev, &pci, NULL, layout);
}

static VkResult gd_create_module(gd_rec *r, const void *code, size_t size, VkShaderModule *out) {
	VkShaderModuleCreateInfo ci = {VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO};
	ci.codeSize = size;
	ci.pCode = (const uint32_t *)code;
	return r->createModule(r->dev, &ci, NULL, out);
}

// gd_create_pipeline builds a compute pipeline whose specialisation constants 0..n-1 are
// the n 32-bit values of spec.
static VkResult gd_create_pipeline(gd_rec *r, VkShaderModule mod, const uint32_t *spec, uint32_t n, VkPipeline *out) {
	VkSpecializationMapEntry e[16];
	if (n > 16) return VK_ERROR_INITIALIZATION_FAILED;
	for (uint32_t i = 0; i < n; i++) {
		e[i].constantID = i;
		e[i].offset = 4 * i;
		e[i].size = 4;
	}
	VkSpecializationInfo si = {n, e, 4 * (size_t)n, spec};
	VkComputePipelineCreateInfo ci = {VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO};
	ci.stage.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO;
	ci.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
	ci.stage.module = mod;
	ci.stage.pName = "main";
	ci.stage.pSpecializationInfo = &si;
	ci.layout = r->layout;
	return r->createPipelines(r->dev, VK_NULL_HANDLE, 1, &ci, NULL, out);
}

static VkResult gd_submit(gd_rec *r, VkQueue q, VkCommandBuffer cb, VkFence fence) {
	VkSubmitInfo si = {VK_STRUCTURE_TYPE_SUBMIT_INFO};
	si.commandBufferCount = 1;
	si.pCommandBuffers = &cb;
	return r->submit(q, 1, &si, fence);
}

static VkResult gd_begin(gd_rec *r, VkCommandBuffer cb) {
	VkCommandBufferBeginInfo bi = {VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
	bi.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
	return r->begin(cb, &bi);
}

// gd_write_set points the n bindings of set at whole buffers.
static void gd_write_set(gd_rec *r, VkDescriptorSet set, const VkBuffer *bufs, const uint64_t *ranges, uint32_t n) {
	VkDescriptorBufferInfo info[8];
	VkWriteDescriptorSet w[8];
	for (uint32_t i = 0; i < n && i < 8; i++) {
		info[i].buffer = bufs[i];
		info[i].offset = 0;
		info[i].range = ranges[i];
		memset(&w[i], 0, sizeof w[i]);
		w[i].sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET;
		w[i].dstSet = set;
		w[i].dstBinding = i;
		w[i].descriptorCount = 1;
		w[i].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
		w[i].pBufferInfo = &info[i];
	}
	r->updateSets(r->dev, n < 8 ? n : 8, w, 0, NULL);
}

static int gd_rec_init(VkInstance inst, VkDevice dev, VkPipelineLayout layout, gd_rec *r) {
	PFN_vkGetDeviceProcAddr gdpa = (PFN_vkGetDeviceProcAddr)gd_gipa(inst, "vkGetDeviceProcAddr");
	if (!gdpa) return 0;
	r->bindPipeline = (PFN_vkCmdBindPipeline)gdpa(dev, "vkCmdBindPipeline");
	r->bindSets = (PFN_vkCmdBindDescriptorSets)gdpa(dev, "vkCmdBindDescriptorSets");
	r->pushConstants = (PFN_vkCmdPushConstants)gdpa(dev, "vkCmdPushConstants");
	r->dispatch = (PFN_vkCmdDispatch)gdpa(dev, "vkCmdDispatch");
	r->barrier = (PFN_vkCmdPipelineBarrier)gdpa(dev, "vkCmdPipelineBarrier");
	r->copyBuffer = (PFN_vkCmdCopyBuffer)gdpa(dev, "vkCmdCopyBuffer");
	r->fillBuffer = (PFN_vkCmdFillBuffer)gdpa(dev, "vkCmdFillBuffer");
	r->pushDescriptors = (PFN_vkCmdPushDescriptorSetKHR)gdpa(dev, "vkCmdPushDescriptorSetKHR");
	r->createPipelines = (PFN_vkCreateComputePipelines)gdpa(dev, "vkCreateComputePipelines");
	r->createModule = (PFN_vkCreateShaderModule)gdpa(dev, "vkCreateShaderModule");
	r->submit = (PFN_vkQueueSubmit)gdpa(dev, "vkQueueSubmit");
	r->updateSets = (PFN_vkUpdateDescriptorSets)gdpa(dev, "vkUpdateDescriptorSets");
	r->begin = (PFN_vkBeginCommandBuffer)gdpa(dev, "vkBeginCommandBuffer");
	r->writeTimestamp = (PFN_vkCmdWriteTimestamp)gdpa(dev, "vkCmdWriteTimestamp");
	r->resetQueries = (PFN_vkCmdResetQueryPool)gdpa(dev, "vkCmdResetQueryPool");
	r->createQueryPool = (PFN_vkCreateQueryPool)gdpa(dev, "vkCreateQueryPool");
	r->destroyQueryPool = (PFN_vkDestroyQueryPool)gdpa(dev, "vkDestroyQueryPool");
	r->queryResults = (PFN_vkGetQueryPoolResults)gdpa(dev, "vkGetQueryPoolResults");
	r->dev = dev;
	r->layout = layout;
	return r->begin && r->createPipelines && r->createModule && r->submit && r->updateSets && r->bindPipeline && r->bindSets && r->pushConstants && r->dispatch && r->barrier &&
		r->copyBuffer && r->fillBuffer;
}

#define GD_STAGES (VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT)
#define GD_ACCESS (VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT | \
	VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_TRANSFER_WRITE_BIT)

// gd_barrier records one global memory barrier: every compute or transfer access before it
// happens before every one after it; toHost makes the writes visible to host reads.
static void gd_barrier(gd_rec *r, VkCommandBuffer cb, int toHost) {
	VkMemoryBarrier mb = {VK_STRUCTURE_TYPE_MEMORY_BARRIER};
	mb.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT;
	mb.dstAccessMask = toHost ? VK_ACCESS_HOST_READ_BIT : GD_ACCESS;
	r->barrier(cb, GD_STAGES, toHost ? VK_PIPELINE_STAGE_HOST_BIT : GD_STAGES, 0, 1, &mb, 0, NULL, 0, NULL);
}

// gd_timed_dispatch records the dispatch, between timestamps q and q+1 of qp when qp is
// not null (the profiler). Both are bottom-of-pipe: the first is written once everything
// before the dispatch has finished, the second once the dispatch has, so the difference
// is the dispatch's own time even where the device would overlap it with its predecessor.
static void gd_timed_dispatch(gd_rec *r, VkCommandBuffer cb, VkQueryPool qp, uint32_t q, uint32_t gx, uint32_t gy, uint32_t gz) {
	if (qp) r->writeTimestamp(cb, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, qp, q);
	r->dispatch(cb, gx, gy, gz);
	if (qp) r->writeTimestamp(cb, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, qp, q + 1);
}

// gd_dispatch records a whole dispatch: an optional barrier before it, the pipeline and
// descriptor set (skipped when unchanged since the last dispatch), the push constants and
// the dispatch itself.
static void gd_dispatch(gd_rec *r, VkCommandBuffer cb, int barrier, VkPipeline pipe, int bindPipe,
	VkDescriptorSet set, int bindSet, const void *pc, uint32_t pcLen, uint32_t gx, uint32_t gy, uint32_t gz,
	VkQueryPool qp, uint32_t q) {
	if (barrier) gd_barrier(r, cb, 0);
	if (bindPipe) r->bindPipeline(cb, VK_PIPELINE_BIND_POINT_COMPUTE, pipe);
	if (bindSet) r->bindSets(cb, VK_PIPELINE_BIND_POINT_COMPUTE, r->layout, 0, 1, &set, 0, NULL);
	if (pcLen) r->pushConstants(cb, r->layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, pcLen, pc);
	gd_timed_dispatch(r, cb, qp, q, gx, gy, gz);
}

#define GD_BINDINGS 8

// gd_dispatch_push is gd_dispatch with push descriptors: the bindings are written into the
// command buffer with the exact ranges of the tensors, so no descriptor set is allocated
// and synchronisation validation sees the true ranges.
static void gd_dispatch_push(gd_rec *r, VkCommandBuffer cb, int barrier, VkPipeline pipe, int bindPipe,
	const VkBuffer *bufs, const uint64_t *offs, const uint64_t *ranges,
	const void *pc, uint32_t pcLen, uint32_t gx, uint32_t gy, uint32_t gz, VkQueryPool qp, uint32_t q) {
	if (barrier) gd_barrier(r, cb, 0);
	if (bindPipe) r->bindPipeline(cb, VK_PIPELINE_BIND_POINT_COMPUTE, pipe);
	VkDescriptorBufferInfo info[GD_BINDINGS];
	VkWriteDescriptorSet w[GD_BINDINGS];
	for (int i = 0; i < GD_BINDINGS; i++) {
		info[i].buffer = bufs[i];
		info[i].offset = offs[i];
		info[i].range = ranges[i];
		memset(&w[i], 0, sizeof w[i]);
		w[i].sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET;
		w[i].dstBinding = i;
		w[i].descriptorCount = 1;
		w[i].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
		w[i].pBufferInfo = &info[i];
	}
	r->pushDescriptors(cb, VK_PIPELINE_BIND_POINT_COMPUTE, r->layout, 0, GD_BINDINGS, w);
	if (pcLen) r->pushConstants(cb, r->layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, pcLen, pc);
	gd_timed_dispatch(r, cb, qp, q, gx, gy, gz);
}

static VkResult gd_create_query_pool(gd_rec *r, uint32_t n, VkQueryPool *out) {
	if (!r->writeTimestamp || !r->resetQueries || !r->createQueryPool || !r->queryResults)
		return VK_ERROR_FEATURE_NOT_PRESENT;
	VkQueryPoolCreateInfo ci = {VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO};
	ci.queryType = VK_QUERY_TYPE_TIMESTAMP;
	ci.queryCount = n;
	return r->createQueryPool(r->dev, &ci, NULL, out);
}

static void gd_destroy_query_pool(gd_rec *r, VkQueryPool qp) { r->destroyQueryPool(r->dev, qp, NULL); }

static void gd_reset_queries(gd_rec *r, VkCommandBuffer cb, VkQueryPool qp, uint32_t n) {
	r->resetQueries(cb, qp, 0, n);
}

// gd_query_results reads timestamps 0..n-1 of qp, which a signalled fence has made available.
static VkResult gd_query_results(gd_rec *r, VkQueryPool qp, uint32_t n, uint64_t *out) {
	return r->queryResults(r->dev, qp, 0, n, 8 * (size_t)n, out, 8, VK_QUERY_RESULT_64_BIT);
}

static void gd_copy(gd_rec *r, VkCommandBuffer cb, int barrier, VkBuffer src, uint64_t srcOff,
	VkBuffer dst, uint64_t dstOff, uint64_t size) {
	if (barrier) gd_barrier(r, cb, 0);
	VkBufferCopy c = {srcOff, dstOff, size};
	r->copyBuffer(cb, src, dst, 1, &c);
}

static void gd_fill(gd_rec *r, VkCommandBuffer cb, int barrier, VkBuffer dst, uint64_t off, uint64_t size) {
	if (barrier) gd_barrier(r, cb, 0);
	r->fillBuffer(cb, dst, off, size, 0);
}
*/
import "C"

import (
	"unsafe"

	vulkan "github.com/vulkan-go/vulkan"
)

// loadLoader opens the Vulkan loader and hands its entry point to vulkan-go.
func loadLoader() bool {
	p := C.gd_load()
	if p == nil {
		return false
	}
	vulkan.SetGetInstanceProcAddr(p)
	return true
}

func queryProps(inst vulkan.Instance, pd vulkan.PhysicalDevice) C.gd_props {
	var p C.gd_props
	C.gd_query(C.VkInstance(unsafe.Pointer(inst)), C.VkPhysicalDevice(unsafe.Pointer(pd)), &p)
	return p
}

type messenger C.VkDebugUtilsMessengerEXT

func installMessenger(inst vulkan.Instance) messenger {
	return messenger(C.gd_install_messenger(C.VkInstance(unsafe.Pointer(inst))))
}

func destroyMessenger(inst vulkan.Instance, m messenger) {
	C.gd_destroy_messenger(C.VkInstance(unsafe.Pointer(inst)), C.VkDebugUtilsMessengerEXT(m))
}

// validationMessages returns how many validation messages arrived so far in this process
// and the last one.
func validationMessages() (uint64, string) {
	var buf [1024]C.char
	n := C.gd_messages(&buf[0], C.int(len(buf)))
	return uint64(n), C.GoString(&buf[0])
}

// recorder writes commands through entry points fetched once per device.
type recorder struct{ r C.gd_rec }

func (r *recorder) init(inst vulkan.Instance, dev vulkan.Device, layout vulkan.PipelineLayout) bool {
	return C.gd_rec_init(C.VkInstance(unsafe.Pointer(inst)), C.VkDevice(unsafe.Pointer(dev)),
		C.VkPipelineLayout(unsafe.Pointer(layout)), &r.r) != 0
}

func cbool(b bool) C.int {
	if b {
		return 1
	}
	return 0
}

func (r *recorder) barrier(cb vulkan.CommandBuffer, toHost bool) {
	C.gd_barrier(&r.r, C.VkCommandBuffer(unsafe.Pointer(cb)), cbool(toHost))
}

func (r *recorder) dispatch(cb vulkan.CommandBuffer, barrier bool, pipe vulkan.Pipeline, bindPipe bool,
	set vulkan.DescriptorSet, bindSet bool, pc *[pushWords]uint32, gx, gy, gz uint32, qp vulkan.QueryPool, q uint32) {
	C.gd_dispatch(&r.r, C.VkCommandBuffer(unsafe.Pointer(cb)), cbool(barrier),
		C.VkPipeline(unsafe.Pointer(pipe)), cbool(bindPipe),
		C.VkDescriptorSet(unsafe.Pointer(set)), cbool(bindSet),
		unsafe.Pointer(pc), C.uint32_t(pushWords*4), C.uint32_t(gx), C.uint32_t(gy), C.uint32_t(gz),
		C.VkQueryPool(unsafe.Pointer(qp)), C.uint32_t(q))
}

func createInstance() (vulkan.Instance, bool, vulkan.Result) {
	var inst C.VkInstance
	var debug C.int
	res := C.gd_create_instance(&inst, &debug)
	return vulkan.Instance(unsafe.Pointer(inst)), debug != 0, vulkan.Result(res)
}

func createLayouts(inst vulkan.Instance, dev vulkan.Device, push bool) (vulkan.DescriptorSetLayout, vulkan.PipelineLayout, vulkan.Result) {
	var dsl C.VkDescriptorSetLayout
	var layout C.VkPipelineLayout
	res := C.gd_create_layouts(C.VkInstance(unsafe.Pointer(inst)), C.VkDevice(unsafe.Pointer(dev)), cbool(push),
		maxBindings, pushWords*4, &dsl, &layout)
	return vulkan.DescriptorSetLayout(unsafe.Pointer(dsl)), vulkan.PipelineLayout(unsafe.Pointer(layout)), vulkan.Result(res)
}

func createDevice(inst vulkan.Instance, pd vulkan.PhysicalDevice, family uint32, pushDesc bool) (vulkan.Device, vulkan.Result) {
	var dev C.VkDevice
	res := C.gd_create_device(C.VkInstance(unsafe.Pointer(inst)), C.VkPhysicalDevice(unsafe.Pointer(pd)),
		C.uint32_t(family), cbool(pushDesc), &dev)
	return vulkan.Device(unsafe.Pointer(dev)), vulkan.Result(res)
}

func (r *recorder) createModule(code []byte) (vulkan.ShaderModule, vulkan.Result) {
	p := C.CBytes(code) // 4-byte aligned, as pCode must be
	defer C.free(p)
	var m C.VkShaderModule
	res := C.gd_create_module(&r.r, p, C.size_t(len(code)), &m)
	return vulkan.ShaderModule(unsafe.Pointer(m)), vulkan.Result(res)
}

func (r *recorder) createPipeline(mod vulkan.ShaderModule, spec []uint32) (vulkan.Pipeline, vulkan.Result) {
	var p C.VkPipeline
	res := C.gd_create_pipeline(&r.r, C.VkShaderModule(unsafe.Pointer(mod)), (*C.uint32_t)(&spec[0]), C.uint32_t(len(spec)), &p)
	return vulkan.Pipeline(unsafe.Pointer(p)), vulkan.Result(res)
}

func (r *recorder) begin(cb vulkan.CommandBuffer) vulkan.Result {
	return vulkan.Result(C.gd_begin(&r.r, C.VkCommandBuffer(unsafe.Pointer(cb))))
}

func (r *recorder) submit(q vulkan.Queue, cb vulkan.CommandBuffer, fence vulkan.Fence) vulkan.Result {
	return vulkan.Result(C.gd_submit(&r.r, C.VkQueue(unsafe.Pointer(q)), C.VkCommandBuffer(unsafe.Pointer(cb)),
		C.VkFence(unsafe.Pointer(fence))))
}

func (r *recorder) writeSet(set vulkan.DescriptorSet, bufs *[maxBindings]vulkan.Buffer, ranges *[maxBindings]uint64) {
	C.gd_write_set(&r.r, C.VkDescriptorSet(unsafe.Pointer(set)), (*C.VkBuffer)(unsafe.Pointer(&bufs[0])),
		(*C.uint64_t)(&ranges[0]), maxBindings)
}

func (r *recorder) hasPushDescriptors() bool { return r.r.pushDescriptors != nil }

// pushBinding is one binding of a push-descriptor dispatch.
type pushBindings struct {
	bufs   [maxBindings]vulkan.Buffer
	offs   [maxBindings]uint64
	ranges [maxBindings]uint64
}

func (r *recorder) dispatchPush(cb vulkan.CommandBuffer, barrier bool, pipe vulkan.Pipeline, bindPipe bool,
	pb *pushBindings, pc *[pushWords]uint32, gx, gy, gz uint32, qp vulkan.QueryPool, q uint32) {
	C.gd_dispatch_push(&r.r, C.VkCommandBuffer(unsafe.Pointer(cb)), cbool(barrier),
		C.VkPipeline(unsafe.Pointer(pipe)), cbool(bindPipe),
		(*C.VkBuffer)(unsafe.Pointer(&pb.bufs[0])), (*C.uint64_t)(&pb.offs[0]), (*C.uint64_t)(&pb.ranges[0]),
		unsafe.Pointer(pc), C.uint32_t(pushWords*4), C.uint32_t(gx), C.uint32_t(gy), C.uint32_t(gz),
		C.VkQueryPool(unsafe.Pointer(qp)), C.uint32_t(q))
}

// createQueryPool makes a pool of n timestamp queries.
func (r *recorder) createQueryPool(n int) (vulkan.QueryPool, vulkan.Result) {
	var qp C.VkQueryPool
	res := C.gd_create_query_pool(&r.r, C.uint32_t(n), &qp)
	return vulkan.QueryPool(unsafe.Pointer(qp)), vulkan.Result(res)
}

func (r *recorder) destroyQueryPool(qp vulkan.QueryPool) {
	C.gd_destroy_query_pool(&r.r, C.VkQueryPool(unsafe.Pointer(qp)))
}

// resetQueries records the reset of queries 0..n-1 of qp.
func (r *recorder) resetQueries(cb vulkan.CommandBuffer, qp vulkan.QueryPool, n int) {
	C.gd_reset_queries(&r.r, C.VkCommandBuffer(unsafe.Pointer(cb)), C.VkQueryPool(unsafe.Pointer(qp)), C.uint32_t(n))
}

// queryResults reads the first len(out) timestamps of qp; their batch must have finished.
func (r *recorder) queryResults(qp vulkan.QueryPool, out []uint64) vulkan.Result {
	return vulkan.Result(C.gd_query_results(&r.r, C.VkQueryPool(unsafe.Pointer(qp)), C.uint32_t(len(out)),
		(*C.uint64_t)(unsafe.Pointer(&out[0]))))
}

func (r *recorder) copy(cb vulkan.CommandBuffer, barrier bool, src vulkan.Buffer, srcOff uint64,
	dst vulkan.Buffer, dstOff uint64, size uint64) {
	C.gd_copy(&r.r, C.VkCommandBuffer(unsafe.Pointer(cb)), cbool(barrier),
		C.VkBuffer(unsafe.Pointer(src)), C.uint64_t(srcOff),
		C.VkBuffer(unsafe.Pointer(dst)), C.uint64_t(dstOff), C.uint64_t(size))
}

func (r *recorder) fill(cb vulkan.CommandBuffer, barrier bool, dst vulkan.Buffer, off, size uint64) {
	C.gd_fill(&r.r, C.VkCommandBuffer(unsafe.Pointer(cb)), cbool(barrier),
		C.VkBuffer(unsafe.Pointer(dst)), C.uint64_t(off), C.uint64_t(size))
}

func goString(b []C.char) string { return C.GoString(&b[0]) }

func deviceInfoFrom(index int, p *C.gd_props) DeviceInfo {
	d := DeviceInfo{
		Index:                           index,
		Name:                            C.GoString(&p.name[0]),
		Driver:                          C.GoString(&p.driver[0]),
		DriverInfo:                      C.GoString(&p.driverInfo[0]),
		Type:                            deviceTypeName(uint32(p.deviceType)),
		APIVersion:                      versionString(uint32(p.apiVersion)),
		DriverVersion:                   uint32(p.driverVersion),
		VendorID:                        uint32(p.vendorID),
		DeviceID:                        uint32(p.deviceID),
		SubgroupSize:                    int(p.subgroupSize),
		SubgroupOps:                     uint32(p.subgroupOps),
		MaxWorkgroupInvocations:         int(p.maxWGInvocations),
		MaxSharedMemory:                 int(p.maxShared),
		MaxStorageBufferRange:           uint64(p.maxStorageRange),
		MaxPushConstants:                int(p.maxPush),
		MinStorageBufferOffsetAlignment: int(p.minStorageAlign),
		MaxMemoryAllocation:             uint64(p.maxAlloc),
		MaxStorageBuffersPerStage:       int(p.maxStorageBuffersPerStage),
		Storage16Bit:                    p.storage16 != 0,
		Float16:                         p.float16 != 0,
		PushDescriptor:                  p.pushDescriptor != 0,
		HasComputeQueue:                 p.hasCompute != 0,
		ComputeQueueFamily:              int(p.computeFamily),
		TimestampPeriod:                 float32(p.timestampPeriod),
		TimestampValidBits:              int(p.timestampValidBits),
	}
	for i := 0; i < 3; i++ {
		d.MaxWorkgroupSize[i] = int(p.maxWGSize[i])
		d.MaxWorkgroupCount[i] = int(p.maxWGCount[i])
	}
	for i := 0; i < int(p.heapCount); i++ {
		d.Heaps = append(d.Heaps, MemoryHeap{Size: uint64(p.heapSize[i]), DeviceLocal: p.heapFlags[i]&1 != 0})
	}
	for i := 0; i < int(p.typeCount); i++ {
		d.MemoryTypes = append(d.MemoryTypes, MemoryType{Heap: int(p.typeHeap[i]), Flags: uint32(p.typeFlags[i])})
	}
	return d
}
