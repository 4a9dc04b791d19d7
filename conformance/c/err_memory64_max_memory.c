// A wasm64 --max-memory above wasm-ld's 16 GiB limit for memory64 is an error, in its words.
//#Target: wasm64
//#DriverArgs: -nostdlib
//#Configs: O0
//#LinkArgs: --max-memory=17179934720
//#ExpectLinkError: maximum memory too large, cannot be greater than 17179869184
void _start(void) {}
