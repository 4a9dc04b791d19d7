// --export, --export-if-defined (present and missing) on a reactor; exports act as GC roots.
//#LinkArgs: --export=triple --export-if-defined=quad --export-if-defined=does_not_exist --export=table_data
//#Reactor: triple 5
//#Reactor: quad 5
int triple(int x) { return 3 * x; }
int quad(int x) { return 4 * x; }
int table_data[4] = {1, 2, 3, 4};
int not_exported(int x) { return x; }
