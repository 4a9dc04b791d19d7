// C++ wasm exceptions (-fwasm-exceptions): every object defines a weak `__cpp_exception` tag,
// the throw is in another object (rt.cpp, a tiny runtime: Debian's libc++abi has none for
// wasm EH), and `catch (...)` catches it. Tags, TAG_INDEX_LEB and the tag section must match.
//#NoLto: wasm-ld-19 crashes on it with LTO (`Cannot invoke an intrinsic other than donothing, ...`)
//#CompileArgs: -fexceptions -fwasm-exceptions
#include <cstdio>

extern "C" void eh_throw_int(int value);
extern "C" int eh_last_payload(void);

struct Guard {
    const char *name;
    ~Guard() { std::printf("unwound %s\n", name); }
};

static int attempt(int value) {
    try {
        Guard g{"attempt"};
        if (value > 0)
            eh_throw_int(value);
        return 0;
    } catch (...) {
        return 1;
    }
}

int main() {
    int caught = attempt(7) + attempt(0) + attempt(35);
    std::printf("caught %d, last payload %d\n", caught, eh_last_payload());
    return caught == 2 ? 0 : 1;
}
