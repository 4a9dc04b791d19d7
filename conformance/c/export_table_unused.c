// --export-table makes and exports the indirect function table even when no function's
// address is taken: a reactor without stdio has none, so the table is empty (one null slot).
//#LinkArgs: --export-table
//#Reactor: twice 21

__attribute__((export_name("twice"))) int twice(int x) { return 2 * x; }
