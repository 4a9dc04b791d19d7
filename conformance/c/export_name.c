// export_name renames an export; the C name stays internal and the export keeps its new name.
//#Configs: O0 O2 Oz g
// (not r: wasm-ld 19's `-r` output has no export section, so the export names are lost.)
//#Reactor: renamed_square 9
//#Reactor: version
__attribute__((export_name("renamed_square"))) int square_impl(int x) { return x * x; }
__attribute__((export_name("version"))) int version_impl(void) { return 1903; }
int not_exported(int x) { return x + 1; }
