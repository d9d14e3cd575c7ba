// libFuzzer's driver, linked in by -sanitize=fuzzer (`make fuzz`). SwiftPM names an executable's entry point
// itself, so libFuzzer's own `main` cannot be used; the fuzz build's entry point calls this instead.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
