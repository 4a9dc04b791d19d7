// The runtime pieces `throw`/`catch (...)` need, in C ABI: throw with tag 0 (`__cpp_exception`),
// and begin/end-catch hooks that hand the payload over and do nothing else.
static int payload;

extern "C" void eh_throw_int(int value) {
    payload = value;
    __builtin_wasm_throw(0, &payload);
}

extern "C" int eh_last_payload(void) { return payload; }

extern "C" void *__cxa_begin_catch(void *exception) { return exception; }

extern "C" void __cxa_end_catch(void) {}
