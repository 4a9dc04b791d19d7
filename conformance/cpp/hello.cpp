// libc++ iostreams.
#include <iostream>
#include <string>

int main() {
    std::string who = "world";
    std::cout << "hello, " << who << " " << 42 << std::endl;
    return 0;
}
