// Counts heap allocations, to measure allocations per event in `streamrec bench` (see the README).
// Build: cc -shared -fPIC -O2 -o malloc_count.so malloc_count.c -ldl
// Use:   LD_PRELOAD=$PWD/malloc_count.so streamrec bench
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdatomic.h>
#include <stddef.h>

static atomic_long allocations;
static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static int (*real_posix_memalign)(void **, size_t, size_t);

// dlsym may allocate before the real calloc is known; serve that from a small static buffer.
static char bootstrap[4096];
static size_t bootstrap_used;

static void resolve(void) {
    if (!real_malloc) {
        real_malloc = dlsym(RTLD_NEXT, "malloc");
        real_calloc = dlsym(RTLD_NEXT, "calloc");
        real_realloc = dlsym(RTLD_NEXT, "realloc");
        real_posix_memalign = dlsym(RTLD_NEXT, "posix_memalign");
    }
}

void *malloc(size_t size) {
    resolve();
    atomic_fetch_add_explicit(&allocations, 1, memory_order_relaxed);
    return real_malloc(size);
}

void *calloc(size_t count, size_t size) {
    if (!real_calloc) {
        size_t bytes = (count * size + 15) & ~(size_t)15;
        if (bootstrap_used + bytes > sizeof bootstrap) return NULL;
        void *pointer = bootstrap + bootstrap_used;
        bootstrap_used += bytes;
        return pointer;
    }
    atomic_fetch_add_explicit(&allocations, 1, memory_order_relaxed);
    return real_calloc(count, size);
}

void *realloc(void *pointer, size_t size) {
    resolve();
    atomic_fetch_add_explicit(&allocations, 1, memory_order_relaxed);
    return real_realloc(pointer, size);
}

int posix_memalign(void **pointer, size_t alignment, size_t size) {
    resolve();
    atomic_fetch_add_explicit(&allocations, 1, memory_order_relaxed);
    return real_posix_memalign(pointer, alignment, size);
}

long streamrec_allocation_count(void) { return atomic_load(&allocations); }
