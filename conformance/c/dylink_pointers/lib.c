// A shared library: data and functions other modules use, a pointer into the main module's
// data, a callback into the main module, a constructor, and a weak definition the main module
// overrides.
extern void print_str(const char *);
extern void print_int(int);
extern int main_counter;                 // defined by the main module
extern int main_double(int);             // defined by the main module

int lib_value = 40;
int *lib_ptr_to_main = &main_counter;    // a data relocation against another module
static int initialized;
int lib_table[3] = {10, 20, 30};

__attribute__((constructor)) static void lib_init(void) { initialized = 7; }

__attribute__((weak)) const char *greeting(void) { return "weak greeting from the library"; }

int lib_initialized(void) { return initialized; }
int lib_add(int a, int b) { return a + b + lib_table[1]; }
int lib_apply(int (*f)(int), int x) { return f(x); }
int (*lib_get_adder(void))(int, int) { return lib_add; }
int lib_call_main(int x) { return main_double(x) + *lib_ptr_to_main; }
void lib_report(void) {
  print_str(greeting());
  print_int(lib_value);
}
