// The runtime clang's wasm setjmp/longjmp lowering calls: setjmp records (function
// invocation, label) in the buffer, the test compares it, longjmp throws `__c_longjmp` (tag 1)
// with a pointer to (buffer, value).
struct jump_record {
    void *invocation;
    unsigned label;
    struct {
        void *env;
        int value;
    } arg;
};

void __wasm_setjmp(void *env, unsigned label, void *invocation) {
    struct jump_record *r = env;
    r->invocation = invocation;
    r->label = label;
}

unsigned __wasm_setjmp_test(void *env, void *invocation) {
    struct jump_record *r = env;
    return r->invocation == invocation ? r->label : 0;
}

void __wasm_longjmp(void *env, int value) {
    struct jump_record *r = env;
    r->arg.env = env;
    r->arg.value = value == 0 ? 1 : value;
    __builtin_wasm_throw(1, &r->arg);
}
