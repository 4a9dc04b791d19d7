// import_module/import_name give an undefined function a specific import; no
// --allow-undefined is needed. The runner's host stub returns 0.
#include <stdio.h>

__attribute__((import_module("host"), import_name("get_value"))) int host_value(int key);
__attribute__((import_module("host"), import_name("log_line"))) void host_log(int n);
__attribute__((import_name("env_only_name"))) int env_default(void);

int main(int argc, char **argv) {
    (void)argv;
    printf("host_value: %d\n", host_value(argc));
    host_log(5);
    printf("env_default: %d\n", env_default());
    return 0;
}
