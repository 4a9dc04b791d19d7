// Thread-local data compiled without atomics is lowered to plain data, and the object says
// "-shared-mem": --shared-memory must be refused, naming the object.
//#Configs: O0 O2
//#LinkArgs: --shared-memory
//#ExpectLinkError: --shared-memory is disallowed by \S*err_shared_memory\S* because it was not compiled with 'atomics' or 'bulk-memory' features
_Thread_local int per_thread = 3;
int main(void) { return per_thread - 3; }
