//#Configs: pie
//#DriverArgs: -nostdlib
// The main module (a PIE): function pointers and data pointers in both directions, a weak
// undefined function, a definition that overrides the library's weak one.
extern void print_str(const char *);
extern void print_int(int);
extern int lib_value;
extern int lib_table[3];
extern int lib_initialized(void);
extern int lib_add(int, int);
extern int lib_apply(int (*)(int), int);
extern int (*lib_get_adder(void))(int, int);
extern int lib_call_main(int);
extern void lib_report(void);
extern int optional_feature(void) __attribute__((weak));

int main_counter = 2;
int main_double(int x) { return 2 * x; }
static int square(int x) { return x * x; }
int *ptr_to_lib_value = &lib_value;      // a data pointer into the library
int (*ptr_to_lib_add)(int, int) = lib_add;

const char *greeting(void) { return "strong greeting from the main module"; }

void _start(void) {
  print_int(lib_initialized());
  print_int(lib_add(1, 2));
  print_int(lib_apply(square, 9));
  print_int(lib_get_adder()(3, 4));
  print_int(ptr_to_lib_add(5, 6));
  print_int(*ptr_to_lib_value);
  *ptr_to_lib_value += 2;
  print_int(lib_value);
  print_int(lib_table[2]);
  print_int(lib_call_main(5));
  print_int(optional_feature ? optional_feature() : -1);
  lib_report();
}
