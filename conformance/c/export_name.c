// export_name renames an export; the C name stays internal and the export keeps its new name.
//#Reactor: renamed_square 9
//#Reactor: version
__attribute__((export_name("renamed_square"))) int square_impl(int x) { return x * x; }
__attribute__((export_name("version"))) int version_impl(void) { return 1903; }
int not_exported(int x) { return x + 1; }
