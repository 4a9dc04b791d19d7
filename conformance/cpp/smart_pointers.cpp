// unique_ptr, shared_ptr, weak_ptr and RAII destruction order.
#include <cstdio>
#include <memory>
#include <vector>

struct Node {
    int id;
    explicit Node(int i) : id(i) { std::printf("+%d ", id); }
    ~Node() { std::printf("-%d ", id); }
};

int main() {
    {
        std::vector<std::unique_ptr<Node>> v;
        for (int i = 0; i < 4; i++) v.push_back(std::make_unique<Node>(i));
        auto shared = std::make_shared<Node>(10);
        std::weak_ptr<Node> weak = shared;
        {
            auto copy = shared;
            std::printf("\nuse_count %ld ", shared.use_count());
        }
        shared.reset();
        std::printf("expired %d\n", (int)weak.expired());
    }
    std::printf("\n");
    return 0;
}
