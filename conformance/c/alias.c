// Strong and weak aliases of a function and of data.
#include <stdio.h>

int real_impl(int x) { return x * 10; }
int alias_impl(int) __attribute__((alias("real_impl")));
int weak_alias_impl(int) __attribute__((weak, alias("real_impl")));
int real_data = 17;
extern int data_alias __attribute__((alias("real_data")));

int main(void) {
    printf("%d %d %d\n", real_impl(1), alias_impl(2), weak_alias_impl(3));
    printf("%d same=%d\n", data_alias, &data_alias == &real_data);
    return 0;
}
