// Without the mutable-globals feature (-mcpu=mvp), exporting the stack pointer is an error.
//#Configs: O0 O2
//#CompileArgs: -mcpu=mvp
//#DriverArgs: -nostartfiles
//#LinkArgs: --no-entry --export=__stack_pointer
//#ExpectLinkError: mutable global exported but 'mutable-globals' feature not present in inputs: `__stack_pointer`
int get(void) { return 1; }
