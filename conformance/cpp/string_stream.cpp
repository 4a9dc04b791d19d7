// std::ostringstream, std::to_string, std::stoi and string manipulation.
#include <iomanip>
#include <iostream>
#include <sstream>
#include <string>

int main() {
    std::ostringstream os;
    os << std::setw(6) << std::setfill('0') << 42 << "|" << std::hex << 255 << "|" << std::fixed << std::setprecision(3) << 3.14159;
    std::string s = os.str();
    std::cout << s << "\n";
    std::string words = "alpha beta gamma";
    std::istringstream is(words);
    std::string w;
    int n = 0;
    while (is >> w) n += (int)w.size();
    std::cout << "letters " << n << " stoi " << std::stoi("-1234") + 1 << " " << std::to_string(2.5) << std::endl;
    return 0;
}
