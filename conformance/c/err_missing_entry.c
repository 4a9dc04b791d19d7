// No _start and no --no-entry.
//#Configs: O0 O2
//#DriverArgs: -nostartfiles
//#ExpectLinkError: entry symbol not defined \(pass --no-entry to suppress\): _start
int not_an_entry(void) { return 0; }
